// A finished transfer fails only on Heroku's own "succeeded: false"; null is polled again.
#include "daemon/run_step.hpp"
#include "daemon/worker_signal.hpp"
#include "persistence/schema.hpp"
#include "statemachine/plans.hpp"
#include "tests/heroku/fake_heroku.hpp"
#include "tests/unit/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pgshift::daemon {
namespace {

using namespace std::chrono_literals;
using testing::fake_heroku;

// A backup the Data API reports finished; `succeeded` as given ("null", "true", "false", or
// absent when empty).
std::string finished_backup(const std::string& succeeded) {
    std::string body = R"({"uuid":"b-1","num":1,"from_type":"pg_dump","to_type":"gof3r",
        "from_name":"DATABASE","processed_bytes":100,"source_bytes":100,
        "created_at":"2026-12-01 10:00:00 +0000","finished_at":"2026-12-01 10:00:05 +0000",
        "logs":[{"level":"error","message":"pg_dump: out of disk"}])";
    if (!succeeded.empty()) {
        body += R"(,"succeeded":)" + succeeded;
    }
    return body + "}";
}

struct transfer_outcome : ::testing::Test {
    transfer_outcome()
        : db(dir / "s.db")
        , store(db) {
        persistence::migrate(db);
        opts.poll_interval = 10ms;
        opts.poll_min = 10ms;
    }

    // Follows backup b-1 of app shop in the capturing plan (its start already recorded).
    step_result follow_backup() {
        heroku.start();
        auto& client = heroku.make_client();
        upgrade u;
        u.id = "u-1";
        u.request.app = "shop";
        u.request.plan = "heroku-postgresql:standard-0";
        auto created = store.create(u, time_point{});
        EXPECT_TRUE(created.ok());
        upgrade started = *created;
        started.backup_uuid = "b-1";
        started.backup_num = 1;
        worker_signal wake(heroku.io.get_executor());
        step_context ctx(
            started, client, pool, store, opts, [] { return time_point{}; },
            [](std::string_view) {}, wake);
        step_result r = heroku.run(run_plan(ctx, plan::plan_capturing));
        pool.join();
        return r;
    }

    pgshift::testing::temp_dir dir;
    sqlite::database db;
    persistence::upgrade_store store;
    fake_heroku heroku;
    boost::asio::thread_pool pool{1};
    engine_options opts;
};

TEST_F(transfer_outcome, finished_with_succeeded_null_is_polled_until_heroku_says) {
    int polls = 0;
    heroku.routes.add("GET", "/client/v11/apps/{app}/transfers/{t}", [&](http::request&) {
        return http::response::json(200, finished_backup(++polls < 3 ? "null" : "true"));
    });
    step_result r = follow_backup();
    ASSERT_TRUE(std::holds_alternative<step_done>(r))
        << (std::holds_alternative<step_error>(r) ? std::get<step_error>(r).message : "");
    EXPECT_EQ(polls, 3) << "not known yet was asked again, not taken as a failure";
}

TEST_F(transfer_outcome, finished_with_succeeded_missing_is_polled_until_heroku_says) {
    int polls = 0;
    heroku.routes.add("GET", "/client/v11/apps/{app}/transfers/{t}", [&](http::request&) {
        return http::response::json(200, finished_backup(++polls < 3 ? "" : "true"));
    });
    step_result r = follow_backup();
    ASSERT_TRUE(std::holds_alternative<step_done>(r))
        << (std::holds_alternative<step_error>(r) ? std::get<step_error>(r).message : "");
    EXPECT_EQ(polls, 3);
}

TEST_F(transfer_outcome, finished_with_succeeded_false_fails_the_step_with_herokus_log) {
    heroku.routes.add("GET", "/client/v11/apps/{app}/transfers/{t}", [&](http::request&) {
        return http::response::json(200, finished_backup("false"));
    });
    step_result r = follow_backup();
    ASSERT_TRUE(std::holds_alternative<step_error>(r));
    const auto& e = std::get<step_error>(r);
    EXPECT_FALSE(e.retryable) << "Heroku said no";
    EXPECT_NE(e.message.find("pg_dump: out of disk"), std::string::npos) << e.message;
}

} // namespace
} // namespace pgshift::daemon
