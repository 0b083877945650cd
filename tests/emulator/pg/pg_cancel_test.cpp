// Canceling transfers: a dump blocked on a lock, a dump canceled at once, a restore destroyed.
#include "emulator/pg/pg_backend.hpp"
#include "tests/emulator/pg/pg_test_helpers.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/pg_query.hpp"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <random>

namespace pgshift::testing {
namespace {

using emulator::database_credentials;
using emulator::pg_backend;
namespace fs = std::filesystem;

bool has_canceled_line(const emulator::transfer_outcome& out) {
    return std::any_of(out.logs.begin(), out.logs.end(), [](const std::string& line) {
        return line.find("canceled") != std::string::npos;
    });
}

// Number of the emulator's tool sessions in `db` waiting for a lock.
int tools_waiting_in(const database_credentials& db) {
    auto rows = query(shared_admin_url(),
                      "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name +
                          "' AND application_name = 'pgshift-emulator' AND wait_event_type = "
                          "'Lock'");
    return std::stoi(rows.at(0).at(0).value());
}

int tool_sessions_in(const database_credentials& db) {
    auto rows =
        query(shared_admin_url(), "SELECT count(*) FROM pg_stat_activity WHERE datname = '" +
                                      db.name + "' AND application_name = 'pgshift-emulator'");
    return std::stoi(rows.at(0).at(0).value());
}

class cancel_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("pgshift-cancel-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
        db_ = backend_.create_database("cancel");
        backend_.execute(db_, "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)");
    }
    void TearDown() override {
        backend_.drop_database(db_);
        fs::remove_all(dir_);
    }
    fs::path dir_;
    pg_backend backend_{shared_admin_url()};
    database_credentials db_;
};

TEST_F(cancel_test, a_dump_blocked_mid_way_is_canceled_once_and_leaves_no_file) {
    // pg_dump needs a share lock on t: it starts, connects, then waits here.
    open_transaction lock(admin_url_for(shared_admin_url(), db_.name),
                          "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    auto file = dir_ / "blocked.dump";
    transfer_recorder rec;
    auto dump = backend_.start_dump(db_, file, rec.callbacks());
    ASSERT_TRUE(eventually([&] { return tools_waiting_in(db_) == 1; }));
    EXPECT_EQ(rec.done_count(), 0);

    dump->cancel();
    auto out = rec.wait();
    dump.reset();
    EXPECT_FALSE(out.succeeded);
    EXPECT_TRUE(has_canceled_line(out)) << ::testing::PrintToString(out.logs);
    EXPECT_EQ(rec.done_count(), 1);
    EXPECT_FALSE(fs::exists(file));
    // pg_dump cancels its query on SIGTERM: the server session goes away too.
    EXPECT_TRUE(eventually([&] { return tool_sessions_in(db_) == 0; }));
}

TEST_F(cancel_test, a_dump_canceled_at_once_reports_failure_once) {
    auto file = dir_ / "at-once.dump";
    transfer_recorder rec;
    auto dump = backend_.start_dump(db_, file, rec.callbacks());
    dump->cancel();
    auto out = rec.wait();
    dump->cancel(); // after the end: a no-op
    dump.reset();
    EXPECT_EQ(rec.done_count(), 1);
    // The dump may have won the race; a canceled one must say so.
    if (!out.succeeded) {
        EXPECT_TRUE(has_canceled_line(out)) << ::testing::PrintToString(out.logs);
        EXPECT_FALSE(fs::exists(file));
    }
}

TEST_F(cancel_test, destroying_a_running_restore_cancels_it) {
    auto file = dir_ / "small.dump";
    transfer_recorder dumped;
    auto dump = backend_.start_dump(db_, file, dumped.callbacks());
    ASSERT_TRUE(dumped.wait().succeeded);

    auto target = backend_.create_database("cancel-target");
    backend_.execute(target, "CREATE TABLE t (id int)");
    // --clean drops t first, and waits for this lock.
    open_transaction lock(admin_url_for(shared_admin_url(), target.name),
                          "LOCK TABLE t IN ACCESS SHARE MODE");
    transfer_recorder rec;
    auto restore = backend_.start_restore(file, target, rec.callbacks());
    ASSERT_TRUE(eventually([&] { return tools_waiting_in(target) == 1; }));
    restore.reset(); // cancels, then joins: on_done has run when this returns
    EXPECT_EQ(rec.done_count(), 1);
    auto out = rec.wait();
    EXPECT_FALSE(out.succeeded);
    EXPECT_TRUE(has_canceled_line(out)) << ::testing::PrintToString(out.logs);
    backend_.drop_database(target);
}

} // namespace
} // namespace pgshift::testing
