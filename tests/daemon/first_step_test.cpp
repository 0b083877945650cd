// The first step against a fake Heroku answering in plain v3 shapes: plan, owner, version.
#include "daemon/run_step.hpp"
#include "daemon/verify.hpp"
#include "daemon/worker_signal.hpp"
#include "persistence/schema.hpp"
#include "statemachine/plans.hpp"
#include "tests/heroku/fake_heroku.hpp"
#include "tests/unit/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pgshift::daemon {
namespace {

using nlohmann::json;
using testing::fake_heroku;

// GET /apps/user-app/addon-attachments as plain version=3 answers it: no plan embedded.
constexpr const char* attachments_v3 = R"([
  {"id":"t1","name":"DATABASE","namespace":null,"app":{"id":"u1","name":"user-app"},
   "addon":{"id":"ad1","name":"postgresql-shared-1","app":{"id":"o1","name":"owner-app"}}}])";

constexpr const char* addon_v3 = R"({"id":"ad1","name":"postgresql-shared-1",
  "state":"provisioned","app":{"id":"o1","name":"owner-app"},
  "plan":{"id":"p1","name":"heroku-postgresql:essential-0"},"config_vars":["DATABASE_URL"]})";

constexpr const char* info_15 = R"({"plan":"essential-0","postgres_version":"15.4",
  "resource_url":"postgres://secret@h/d","num_bytes":0,"info":[]})";

struct first_step : ::testing::Test {
    first_step()
        : db(dir / "s.db")
        , store(db) {
        persistence::migrate(db);
    }

    // Runs the pending plan on a new upgrade of user-app; returns the result and the record.
    std::pair<step_result, upgrade> run(upgrade_request request) {
        heroku.start();
        auto& client = heroku.make_client();
        upgrade u;
        u.id = "u-1";
        u.request = std::move(request);
        auto created = store.create(u, time_point{});
        EXPECT_TRUE(created.ok());
        worker_signal wake(heroku.io.get_executor());
        step_context ctx(
            *created, client, pool, store, opts, [] { return time_point{}; },
            [](std::string_view) {}, wake);
        step_result r = heroku.run(run_plan(ctx, plan::plan_pending));
        pool.join();
        return {r, ctx.u};
    }

    upgrade_request user_app(std::optional<std::string> version = std::nullopt) {
        upgrade_request r;
        r.app = "user-app";
        r.plan = "heroku-postgresql:standard-0";
        r.pg_version = std::move(version);
        return r;
    }

    void serve(const char* addon, const char* info) {
        heroku.routes.add("GET", "/apps/{app}/addon-attachments",
                          [](http::request&) { return http::response::json(200, attachments_v3); });
        heroku.routes.add("GET", "/apps/{app}/addons/{addon}", [addon](http::request& r) {
            addon_paths.push_back(r.target);
            return http::response::json(200, addon);
        });
        heroku.routes.add("GET", "/client/v11/databases/{id}",
                          [info](http::request&) { return http::response::json(200, info); });
    }

    static inline std::vector<std::string> addon_paths;
    pgshift::testing::temp_dir dir;
    sqlite::database db;
    persistence::upgrade_store store;
    fake_heroku heroku;
    boost::asio::thread_pool pool{1};
    engine_options opts;
};

TEST_F(first_step, reads_plan_and_owner_from_the_addon_when_attachments_carry_no_plan) {
    addon_paths.clear();
    serve(addon_v3, info_15);
    auto [r, u] = run(user_app());
    ASSERT_TRUE(std::holds_alternative<step_done>(r))
        << (std::holds_alternative<step_error>(r) ? std::get<step_error>(r).message : "");
    EXPECT_EQ(u.source_addon_id, "ad1");
    EXPECT_EQ(u.source_plan, "heroku-postgresql:essential-0");
    EXPECT_EQ(u.source_app, "owner-app");
    EXPECT_EQ(u.source_version, "15.4");
    EXPECT_EQ(u.target_version, "15"); // no version asked: the source's major
    ASSERT_EQ(addon_paths.size(), 1u);
    EXPECT_EQ(addon_paths[0], "/apps/user-app/addons/ad1");
    auto stored = store.get("u-1");
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->source_plan, "heroku-postgresql:essential-0");
    EXPECT_EQ(stored->target_version, "15");
}

TEST_F(first_step, a_version_asked_for_is_the_target_version) {
    serve(addon_v3, info_15);
    auto [r, u] = run(user_app("17"));
    ASSERT_TRUE(std::holds_alternative<step_done>(r));
    EXPECT_EQ(u.source_version, "15.4");
    EXPECT_EQ(u.target_version, "17");
}

TEST_F(first_step, an_addon_without_a_plan_name_is_an_error_naming_the_field) {
    serve(R"({"id":"ad1","name":"postgresql-shared-1","state":"provisioned",
              "app":{"id":"o1","name":"owner-app"},"plan":{"id":"p1"}})",
          info_15);
    auto [r, u] = run(user_app());
    ASSERT_TRUE(std::holds_alternative<step_error>(r));
    EXPECT_NE(std::get<step_error>(r).message.find("plan.name"), std::string::npos)
        << std::get<step_error>(r).message;
    EXPECT_EQ(u.source_plan, "");
    EXPECT_EQ(u.source_addon_id, ""); // nothing recorded: the step did not finish
}

TEST_F(first_step, a_source_without_postgres_version_is_refused_unless_a_version_is_asked) {
    const char* no_version = R"({"plan":"essential-0","resource_url":"postgres://s@h/d",
        "num_bytes":0,"info":[]})";
    serve(addon_v3, no_version);
    auto [r, u] = run(user_app());
    ASSERT_TRUE(std::holds_alternative<step_error>(r));
    EXPECT_NE(std::get<step_error>(r).message.find("postgres_version"), std::string::npos)
        << std::get<step_error>(r).message;
    EXPECT_EQ(u.target_version, "");
}

TEST_F(first_step, a_database_that_is_not_heroku_postgresql_is_refused) {
    serve(R"({"id":"ad1","name":"redis-1","state":"provisioned",
              "app":{"id":"o1","name":"owner-app"},"plan":{"name":"heroku-redis:mini"}})",
          info_15);
    auto [r, u] = run(user_app());
    ASSERT_TRUE(std::holds_alternative<step_error>(r));
    EXPECT_FALSE(std::get<step_error>(r).retryable);
    EXPECT_NE(std::get<step_error>(r).message.find("heroku-redis:mini"), std::string::npos);
}

// The end of provisioning checks the new database runs the pinned version. A database info
// that does not say it yet is asked again (retryable), never taken for another version.
TEST_F(first_step, provisioning_asks_again_while_the_target_does_not_say_its_version) {
    heroku.routes.add("GET", "/apps/{app}/addons/{addon}", [](http::request&) {
        return http::response::json(200, R"({"id":"tgt","name":"pgshift-u1","state":"provisioned",
            "app":{"id":"u1","name":"user-app"},"plan":{"name":"heroku-postgresql:standard-0"}})");
    });
    heroku.routes.add("GET", "/client/v11/databases/{id}/wait_status", [](http::request&) {
        return http::response::json(200,
                                    R"({"waiting?":false,"error?":false,"message":"available"})");
    });
    std::string version = "null";
    heroku.routes.add("GET", "/client/v11/databases/{id}", [&version](http::request&) {
        return http::response::json(
            200, R"({"plan":"standard-0","postgres_version":)" + version +
                     R"(,"resource_url":"postgres://s@h/d","num_bytes":0,"info":[]})");
    });
    heroku.start();
    auto& client = heroku.make_client();
    upgrade u;
    u.id = "u-1";
    u.request = user_app();
    auto created = store.create(u, time_point{});
    ASSERT_TRUE(created.ok());
    worker_signal wake(heroku.io.get_executor());
    auto provision = [&] {
        step_context ctx(
            *created, client, pool, store, opts, [] { return time_point{}; },
            [](std::string_view) {}, wake);
        ctx.u.current = state::provisioning;
        ctx.u.target_addon_name = "pgshift-u1";
        ctx.u.target_addon_id = "tgt";
        ctx.u.target_version = "15";
        return heroku.run(run_plan(ctx, plan::plan_provisioning));
    };
    step_result r = provision();
    ASSERT_TRUE(std::holds_alternative<step_error>(r));
    EXPECT_TRUE(std::get<step_error>(r).retryable) << std::get<step_error>(r).message;
    version = R"("17.2")";
    r = provision();
    ASSERT_TRUE(std::holds_alternative<step_error>(r));
    EXPECT_FALSE(std::get<step_error>(r).retryable) << "Heroku said another version: that is final";
    EXPECT_NE(std::get<step_error>(r).message.find("17.2"), std::string::npos);
    version = R"("15.7")";
    r = provision();
    EXPECT_TRUE(std::holds_alternative<step_done>(r));
}

// libpq's connection errors name the host, port and user, and quote a URL they cannot parse:
// the history and the log get only what kind of failure it was.
TEST(source_database, a_connection_failure_says_what_kind_never_the_url) {
    const auto refused = installed_extensions("postgresql://secretuser:secretpw@127.0.0.1:1/db");
    ASSERT_FALSE(refused.ok);
    EXPECT_NE(refused.message.find("connection refused"), std::string::npos) << refused.message;
    const auto garbled = installed_extensions("postgresql://secretuser:%zzsecretpw@127.0.0.1:1/db");
    ASSERT_FALSE(garbled.ok);
    for (const auto& m : {refused.message, garbled.message}) {
        for (const char* part : {"secretuser", "secretpw", "127.0.0.1", "%zz"}) {
            EXPECT_EQ(m.find(part), std::string::npos) << part << " in: " << m;
        }
    }
    EXPECT_EQ(connect_failure("FATAL:  password authentication failed for user \"u\""),
              "authentication failed");
    EXPECT_EQ(connect_failure("timeout expired"), "timed out");
}

} // namespace
} // namespace pgshift::daemon
