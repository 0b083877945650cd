// pg_dump/pg_restore through pg_backend: faithful round trip, warnings, failures, concurrency.
#include "emulator/pg/pg_backend.hpp"
#include "tests/emulator/pg/pg_test_helpers.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/pg_query.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <gtest/gtest.h>
#include <random>

namespace pgshift::testing {
namespace {

using emulator::database_credentials;
using emulator::pg_backend;
namespace fs = std::filesystem;

// A few thousand rows over several tables and two schemas, with an index, a sequence,
// an identity column and a foreign key.
constexpr const char* seed_sql = R"sql(
CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE,
                        created_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00Z');
CREATE TABLE orders (id bigserial PRIMARY KEY,
                     customer_id bigint NOT NULL REFERENCES customers (id),
                     amount numeric(12, 2) NOT NULL, note text);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE SEQUENCE invoice_numbers START 1000;
CREATE SCHEMA billing;
CREATE TABLE billing.events (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb,
                             tags text[]);
INSERT INTO customers (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 2000) g;
INSERT INTO orders (customer_id, amount, note)
  SELECT 1 + g % 2000, (g * 7 % 10000) / 100.0, CASE WHEN g % 5 = 0 THEN NULL ELSE md5(g::text) END
  FROM generate_series(1, 5000) g;
INSERT INTO billing.events (payload, tags)
  SELECT jsonb_build_object('n', g, 'even', g % 2 = 0), ARRAY['a' || g, 'b'] FROM generate_series(1, 3000) g;
SELECT nextval('invoice_numbers') FROM generate_series(1, 42);
)sql";

// Per-test scratch directory for dump files.
class transfer_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ =
            fs::temp_directory_path() / ("pgshift-dumps-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
    pg_backend backend_{shared_admin_url()};
};

void expect_no_secret(const emulator::transfer_outcome& out,
                      const std::vector<std::string>& secrets) {
    for (const auto& line : out.logs) {
        for (const auto& secret : secrets) {
            EXPECT_EQ(line.find(secret), std::string::npos) << line;
        }
    }
}

void expect_growing(const std::vector<std::int64_t>& progress, std::int64_t final_bytes) {
    ASSERT_FALSE(progress.empty());
    for (std::size_t i = 1; i < progress.size(); ++i) {
        EXPECT_LT(progress[i - 1], progress[i]);
    }
    EXPECT_EQ(progress.back(), final_bytes);
}

TEST_F(transfer_test, dump_then_restore_reproduces_every_row_and_sequence) {
    auto source = backend_.create_database("source");
    auto target = backend_.create_database("target");
    backend_.execute(source, seed_sql);
    auto file = dir_ / "b001.dump";

    transfer_recorder dumped;
    auto dump = backend_.start_dump(source, file, dumped.callbacks());
    auto dump_out = dumped.wait();
    dump.reset(); // joins: any second on_done would have happened by now
    ASSERT_TRUE(dump_out.succeeded) << ::testing::PrintToString(dump_out.logs);
    EXPECT_EQ(dumped.done_count(), 1);
    EXPECT_EQ(dump_out.bytes, static_cast<std::int64_t>(fs::file_size(file)));
    expect_growing(dumped.progress(), dump_out.bytes);

    transfer_recorder restored;
    auto restore = backend_.start_restore(file, target, restored.callbacks());
    auto restore_out = restored.wait();
    restore.reset();
    ASSERT_TRUE(restore_out.succeeded) << ::testing::PrintToString(restore_out.logs);
    EXPECT_EQ(restore_out.warnings, 0) << ::testing::PrintToString(restore_out.logs);
    EXPECT_EQ(restored.done_count(), 1);
    EXPECT_EQ(restore_out.bytes, dump_out.bytes);
    expect_growing(restored.progress(), restore_out.bytes);

    auto counts = table_row_counts(target.url());
    EXPECT_EQ(counts, table_row_counts(source.url()));
    EXPECT_EQ(counts["public.orders"], 5000);
    EXPECT_EQ(counts["billing.events"], 3000);
    EXPECT_EQ(content_manifest(target.url()), content_manifest(source.url()));
    EXPECT_EQ(content_digest(target.url()), content_digest(source.url()));
    EXPECT_EQ(query(target.url(), "SELECT count(*) FROM pg_indexes WHERE indexname = "
                                  "'orders_customer_idx'")[0][0],
              "1");
    EXPECT_EQ(query(target.url(), "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")[0][0],
              "1");
    EXPECT_EQ(query(target.url(), "SELECT nextval('invoice_numbers')")[0][0], "1042");
    for (const auto* out : {&dump_out, &restore_out}) {
        expect_no_secret(*out, {source.password, target.password});
    }
    backend_.drop_database(source);
    backend_.drop_database(target);
}

// The digest really tells databases apart (else the round trip above proves nothing).
TEST_F(transfer_test, content_digest_sees_a_single_changed_value_and_a_sequence_step) {
    auto db = backend_.create_database("digest");
    backend_.execute(db, seed_sql);
    auto before = content_digest(db.url());
    EXPECT_EQ(content_digest(db.url()), before);
    backend_.execute(db, "UPDATE orders SET note = 'changed' WHERE id = 17");
    auto after_update = content_digest(db.url());
    EXPECT_NE(after_update, before);
    query(db.url(), "SELECT nextval('invoice_numbers')");
    EXPECT_NE(content_digest(db.url()), after_update);
    backend_.drop_database(db);
}

// Objects the target's role does not own make pg_restore skip statements: Heroku's
// "finished with warnings", i.e. succeeded with warnings = the errors ignored.
TEST_F(transfer_test, errors_ignored_by_pg_restore_are_warnings_not_failure) {
    auto source = backend_.create_database("warn-src");
    auto target = backend_.create_database("warn-dst");
    backend_.execute(source, seed_sql);
    exec(admin_url_for(shared_admin_url(), target.name),
         "CREATE TABLE public.customers (x int)"); // owned by the superuser, not the role
    auto file = dir_ / "b002.dump";
    transfer_recorder dumped;
    auto dump = backend_.start_dump(source, file, dumped.callbacks());
    ASSERT_TRUE(dumped.wait().succeeded);

    transfer_recorder restored;
    auto restore = backend_.start_restore(file, target, restored.callbacks());
    auto out = restored.wait();
    EXPECT_TRUE(out.succeeded) << ::testing::PrintToString(out.logs);
    EXPECT_GT(out.warnings, 0);
    auto summary = std::find_if(out.logs.begin(), out.logs.end(), [&](const std::string& l) {
        return l.find("errors ignored on restore: " + std::to_string(out.warnings)) !=
               std::string::npos;
    });
    EXPECT_NE(summary, out.logs.end()) << ::testing::PrintToString(out.logs);
    EXPECT_EQ(table_row_counts(target.url())["billing.events"], 3000); // the rest restored
    expect_no_secret(out, {source.password, target.password});
    backend_.drop_database(source);
    backend_.drop_database(target);
}

TEST_F(transfer_test, restore_of_garbage_or_a_missing_file_fails_with_logs) {
    auto target = backend_.create_database("garbage");
    auto garbage = dir_ / "garbage.dump";
    {
        std::ofstream out(garbage, std::ios::binary);
        std::mt19937 random(42);
        for (int i = 0; i < 300000; ++i) {
            out.put(static_cast<char>(random()));
        }
    }
    for (const auto& file : {garbage, dir_ / "missing.dump"}) {
        transfer_recorder restored;
        auto restore = backend_.start_restore(file, target, restored.callbacks());
        auto out = restored.wait();
        restore.reset();
        EXPECT_FALSE(out.succeeded) << file;
        ASSERT_FALSE(out.logs.empty()) << file;
        EXPECT_EQ(restored.done_count(), 1);
        expect_no_secret(out, {target.password});
    }
    backend_.drop_database(target);
}

TEST_F(transfer_test, several_transfers_run_at_once_and_on_done_may_destroy_its_transfer) {
    std::vector<database_credentials> dbs;
    for (int i = 0; i < 3; ++i) {
        dbs.push_back(backend_.create_database("parallel"));
        backend_.execute(dbs.back(), "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v "
                                     "FROM generate_series(1, 20000) g");
    }
    std::mutex m;
    std::vector<std::unique_ptr<emulator::running_transfer>> running(dbs.size());
    std::vector<std::promise<emulator::transfer_outcome>> outcomes(dbs.size());
    std::vector<std::future<emulator::transfer_outcome>> results;
    for (auto& p : outcomes) {
        results.push_back(p.get_future());
    }
    std::promise<void> all_started;
    auto started = all_started.get_future().share();
    for (std::size_t i = 0; i < dbs.size(); ++i) {
        emulator::transfer_callbacks cb;
        cb.on_done = [&, i, started](const emulator::transfer_outcome& out) {
            started.wait();
            std::unique_ptr<emulator::running_transfer> self;
            {
                std::lock_guard lock(m);
                self = std::move(running[i]);
            }
            self.reset(); // from its own thread: must neither deadlock nor crash
            outcomes[i].set_value(out);
        };
        auto t = backend_.start_dump(dbs[i], dir_ / ("p" + std::to_string(i)), std::move(cb));
        std::lock_guard lock(m);
        running[i] = std::move(t);
    }
    all_started.set_value();
    for (std::size_t i = 0; i < dbs.size(); ++i) {
        auto out = results[i].get();
        EXPECT_TRUE(out.succeeded) << ::testing::PrintToString(out.logs);
    }
    std::lock_guard lock(m);
    for (const auto& t : running) {
        EXPECT_EQ(t, nullptr);
    }
    for (const auto& db : dbs) {
        backend_.drop_database(db);
    }
}

} // namespace
} // namespace pgshift::testing
