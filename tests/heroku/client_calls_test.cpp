// Typed calls over loopback: the method, path, headers and body each one sends.
#include "heroku/data_api.hpp"
#include "heroku/platform_api.hpp"
#include "tests/heroku/fake_heroku.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pgshift::heroku {
namespace {

using nlohmann::json;
using testing::fake_heroku;

const std::string addon_body = R"({"id":"ad2","name":"pgshift-7f3a","state":"provisioning",
    "app":{"id":"a1","name":"shop"},"plan":{"name":"heroku-postgresql:standard-2"},
    "config_vars":[]})";
const std::string transfer_body = R"({"uuid":"t1","num":3,"from_type":"pg_dump",
    "to_type":"gof3r","to_url":"https://s3/b003","succeeded":false,"processed_bytes":10})";

TEST(heroku_calls, create_addon_and_confirmation_required) {
    fake_heroku f;
    f.routes.add("POST", "/apps/{app}/addons", [](http::request& r) {
        if (json::parse(r.body).contains("confirm")) {
            return http::response::json(201, addon_body);
        }
        return http::response::error(423, "confirmation_required", "Please confirm")
            .with_header("X-Confirmation-Required", "shop");
    });
    f.start();
    auto& c = f.make_client();
    addon_create_request req{.plan = "heroku-postgresql:standard-2",
                             .version = "16",
                             .name = "pgshift-7f3a",
                             .attachment_name = std::nullopt,
                             .confirm = std::nullopt,
                             .config = {}};
    const auto first = f.run(async_create_addon(c, "shop", req));
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.err().status, 423);
    EXPECT_TRUE(is_confirmation_required(first.err()));
    EXPECT_FALSE(first.err().outcome_unknown) << "a 423 is a definite refusal";
    EXPECT_EQ(f.seen.size(), 1u);
    req.confirm = "shop";
    const auto second = f.run(async_create_addon(c, "shop", req));
    ASSERT_TRUE(second.ok()) << describe(second.err());
    EXPECT_EQ(second->name, "pgshift-7f3a");
    const auto sent = json::parse(f.seen[1].body);
    EXPECT_EQ(sent["config"]["version"], "16");
    EXPECT_EQ(sent["name"], "pgshift-7f3a");
}

TEST(heroku_calls, attachments_are_listed_in_plain_v3) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}/addon-attachments", [](http::request&) {
        return http::response::json(200, R"([{"id":"t","name":"DATABASE","namespace":null,
            "addon":{"id":"ad1","name":"pg-old","app":{"id":"a1","name":"shop"},
                     "plan":{"name":"heroku-postgresql:standard-0"}}}])");
    });
    f.routes.add("POST", "/addon-attachments", [](http::request&) {
        return http::response::json(201, R"({"id":"t2","name":"DATABASE","namespace":null,
            "addon":{"id":"ad2","name":"pg-new","app":{"id":"a1","name":"shop"},
                     "plan":{"name":"heroku-postgresql:standard-2"}}})");
    });
    f.start();
    auto& c = f.make_client();
    const auto list = f.run(async_list_attachments(c, "shop"));
    ASSERT_TRUE(list.ok()) << describe(list.err());
    // Plain v3, as the CLI sends it: no inclusion Heroku might ignore.
    EXPECT_FALSE(f.seen[0].header_value("Accept-Inclusion"));
    const auto promoted = f.run(async_create_attachment(c, {.addon_name = "pg-new",
                                                            .app = "shop",
                                                            .name = "DATABASE",
                                                            .name_space = {},
                                                            .confirm = "shop"}));
    ASSERT_TRUE(promoted.ok()) << describe(promoted.err());
    EXPECT_EQ(promoted->addon.id, "ad2");
    EXPECT_EQ(json::parse(f.seen[1].body)["namespace"], nullptr);
}

TEST(heroku_calls, formation_releases_config_and_destroy) {
    fake_heroku f;
    f.routes.add("PATCH", "/apps/{app}/formation", [](http::request&) {
        return http::response::json(200, R"([{"type":"worker","quantity":0,"size":"S"}])");
    });
    f.routes.add("GET", "/apps/{app}/releases", [](http::request&) {
        return http::response::json(206, R"json([{"id":"r9","version":9,"status":"succeeded",
            "description":"Attach DATABASE (@ref:pg-new)"}])json")
            .with_header("Next-Range", "version ]9..; max=5, order=desc");
    });
    f.routes.add("GET", "/apps/{app}/config-vars", [](http::request&) {
        return http::response::json(200, R"({"DATABASE_URL":"postgres://secret"})");
    });
    f.routes.add("DELETE", "/apps/{app}/addons/{addon}", [](http::request&) {
        return http::response::json(202, R"({"id":"ad1","name":"pg-old","state":"deprovisioning",
            "app":{"id":"a1","name":"shop"},"plan":{"name":"heroku-postgresql:standard-0"}})");
    });
    f.start();
    auto& c = f.make_client();
    ASSERT_TRUE(f.run(async_scale_formation(c, "shop", {{"worker", 0}})).ok());
    EXPECT_EQ(json::parse(f.seen[0].body),
              json::parse(R"({"updates":[{"type":"worker","quantity":0}]})"));
    const auto releases = f.run(async_list_releases(c, "shop"));
    ASSERT_TRUE(releases.ok());
    EXPECT_EQ(releases->size(), 1u);
    EXPECT_EQ(f.seen[1].header_value("Range").value_or(""), "version ..; max=5, order=desc");
    EXPECT_EQ(f.seen.size(), 2u) << "releases are read as one partial page";
    const auto vars = f.run(async_get_config_vars(c, "shop"));
    ASSERT_TRUE(vars.ok());
    for (const auto& line : f.log) {
        EXPECT_EQ(line.find("postgres://"), std::string::npos) << line;
    }
    const auto gone = f.run(async_destroy_addon(c, "a1", "ad1"));
    ASSERT_TRUE(gone.ok()) << describe(gone.err());
    EXPECT_EQ(gone->state, "deprovisioning");
    EXPECT_EQ(f.seen.back().target, "/apps/a1/addons/ad1");
    EXPECT_EQ(json::parse(f.seen.back().body), json::parse(R"({"force":false})"));
}

TEST(heroku_calls, data_api_paths_and_wait_status_404) {
    fake_heroku f;
    f.routes.add("GET", "/client/v11/databases/{id}/wait_status", [](http::request& r) {
        if (r.params["id"] == "new") {
            return http::response::error(404, "not_found", "Not found");
        }
        return http::response::json(200, R"({"waiting?":false,"message":"available"})");
    });
    f.routes.add("POST", "/client/v11/databases/{id}/backups",
                 [](http::request&) { return http::response::json(201, transfer_body); });
    f.routes.add("GET", "/client/v11/apps/{app}/transfers/{t}",
                 [](http::request&) { return http::response::json(200, transfer_body); });
    f.routes.add("POST", "/client/v11/apps/{app}/transfers/{t}/actions/cancel",
                 [](http::request&) { return http::response::json(200, transfer_body); });
    f.start();
    auto& c = f.make_client();
    const auto missing = f.run(async_wait_status(c, "new"));
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(is_not_found(missing.err()));
    const auto ready = f.run(async_wait_status(c, "old"));
    ASSERT_TRUE(ready.ok());
    EXPECT_FALSE(ready->waiting);
    const auto backup = f.run(async_capture_backup(c, "old"));
    ASSERT_TRUE(backup.ok()) << describe(backup.err());
    EXPECT_EQ(backup->to_url.value_or(""), "https://s3/b003");
    EXPECT_TRUE(f.seen[2].body.empty());
    EXPECT_FALSE(f.seen[2].header_value("Content-Type"));
    ASSERT_TRUE(f.run(async_get_transfer(c, "shop", "t1", true)).ok());
    EXPECT_EQ(f.seen[3].target, "/client/v11/apps/shop/transfers/t1?verbose=true");
    ASSERT_TRUE(f.run(async_cancel_transfer(c, "shop", "t1")).ok());
}

TEST(heroku_calls, unreadable_2xx_to_a_post_is_outcome_unknown) {
    fake_heroku f;
    f.routes.add("POST", "/client/v11/databases/{id}/backups",
                 [](http::request&) { return http::response::json(201, R"({"num":4})"); });
    f.routes.add("GET", "/client/v11/apps/{app}/transfers/{t}",
                 [](http::request&) { return http::response::json(200, R"({"num":4})"); });
    f.start();
    auto& c = f.make_client();
    const auto made = f.run(async_capture_backup(c, "old"));
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.err().status, 201);
    EXPECT_EQ(made.err().id, "invalid_response");
    EXPECT_TRUE(made.err().outcome_unknown) << "the backup exists: adopt it, never re-send";
    EXPECT_TRUE(is_retryable(made.err())) << "look, adopt, go on: not a refusal";
    EXPECT_EQ(f.seen.size(), 1u) << "a POST is never re-sent";
    const auto read = f.run(async_get_transfer(c, "shop", "4"));
    ASSERT_FALSE(read.ok());
    EXPECT_FALSE(read.err().outcome_unknown) << "a GET changed nothing";
    EXPECT_TRUE(is_retryable(read.err()));
    EXPECT_EQ(f.seen.size(), 1u + 5u) << "the GET was tried as often as after a 5xx";
}

TEST(heroku_calls, rate_limits_do_not_spend_the_budget) {
    fake_heroku f;
    f.routes.add("GET", "/account/rate-limits",
                 [](http::request&) { return http::response::json(200, R"({"remaining":4400})"); });
    f.start();
    auto opts = f.options();
    opts.rate.capacity = 1;
    opts.rate.refill_per_minute = 1; // one token a minute: a spending call would stall
    auto& c = f.make_client(opts);
    for (int i = 0; i < 3; ++i) {
        const auto r = f.run(async_get_rate_limits(c), std::chrono::seconds(5));
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->remaining, 4400);
    }
}

} // namespace
} // namespace pgshift::heroku
