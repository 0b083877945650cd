// The client over loopback: deadlines, retries of GETs, POSTs never re-sent, 429 handling.
#include "heroku/data_api.hpp"
#include "heroku/platform_api.hpp"
#include "tests/heroku/fake_heroku.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

namespace pgshift::heroku {
namespace {

using namespace std::chrono_literals;
using testing::fake_heroku;

const std::string app_body = R"({"id":"a1","name":"shop","maintenance":false})";
const std::string transfer_body = R"({"uuid":"t1","num":1,"from_type":"pg_dump",
    "to_type":"gof3r","succeeded":false})";

TEST(heroku_retry, deadline_fires_on_a_slow_server) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", [](http::request&) {
        auto res = http::response::json(200, app_body);
        res.delay = 5s;
        return res;
    });
    f.start();
    auto opts = f.options();
    opts.timeout = 1s;
    opts.retry.max_attempts = 1;
    auto& c = f.make_client(opts);
    const auto started = std::chrono::steady_clock::now();
    const auto r = f.run(async_get_app(c, "shop"));
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().status, 0);
    EXPECT_EQ(r.err().id, "timeout");
    EXPECT_TRUE(is_retryable(r.err()));
    EXPECT_GE(took, 900ms);
    EXPECT_LT(took, 3s);
}

TEST(heroku_retry, get_retried_after_5xx_then_succeeds) {
    fake_heroku f;
    int calls = 0;
    f.routes.add("GET", "/apps/{app}", [&](http::request&) {
        if (++calls <= 2) {
            return http::response::error(503, "unavailable", "try later");
        }
        return http::response::json(200, app_body);
    });
    f.start();
    auto& c = f.make_client();
    const auto r = f.run(async_get_app(c, "shop"));
    ASSERT_TRUE(r.ok()) << describe(r.err());
    EXPECT_EQ(calls, 3);
    ASSERT_EQ(f.log.size(), 3u);
    EXPECT_NE(f.log[0].find("<4>"), std::string::npos) << f.log[0];
    EXPECT_NE(f.log[2].find("attempt=3"), std::string::npos) << f.log[2];
    // Each attempt is its own request, with its own id.
    EXPECT_NE(f.seen[0].header_value("Request-Id"), f.seen[1].header_value("Request-Id"));
}

TEST(heroku_retry, get_retried_after_connection_reset) {
    fake_heroku f;
    int calls = 0;
    f.routes.add("GET", "/apps/{app}", [&](http::request&) {
        http::response res = http::response::json(200, app_body);
        res.reset = ++calls == 1;
        return res;
    });
    f.start();
    auto& c = f.make_client();
    const auto r = f.run(async_get_app(c, "shop"));
    ASSERT_TRUE(r.ok()) << describe(r.err());
    EXPECT_EQ(calls, 2);
}

TEST(heroku_retry, get_gives_up_after_the_attempt_budget) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", [](http::request&) {
        return http::response::error(500, "internal_server_error", "boom");
    });
    f.start();
    auto opts = f.options();
    opts.retry.max_attempts = 3;
    auto& c = f.make_client(opts);
    const auto r = f.run(async_get_app(c, "shop"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().status, 500);
    EXPECT_FALSE(r.err().outcome_unknown);
    EXPECT_EQ(f.seen.size(), 3u);
}

TEST(heroku_retry, post_503_is_not_resent_and_outcome_unknown) {
    fake_heroku f;
    f.routes.add("POST", "/client/v11/databases/{id}/backups", [](http::request&) {
        return http::response::error(503, "unavailable", "try later");
    });
    f.start();
    auto& c = f.make_client();
    const auto r = f.run(async_capture_backup(c, "db-1"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(f.seen.size(), 1u) << "the server must see exactly one POST";
    EXPECT_EQ(r.err().status, 503);
    EXPECT_TRUE(r.err().outcome_unknown);
    EXPECT_NE(r.err().message.find("outcome unknown"), std::string::npos) << r.err().message;
    EXPECT_TRUE(is_retryable(r.err()));
}

TEST(heroku_retry, post_reset_and_timeout_are_outcome_unknown) {
    fake_heroku f;
    f.routes.add("POST", "/apps/{app}/addons", [](http::request&) {
        http::response res = http::response::json(201, "{}");
        res.reset = true;
        return res;
    });
    f.routes.add("POST", "/client/v11/databases/{id}/restores", [](http::request&) {
        auto res = http::response::json(201, transfer_body);
        res.delay = 5s;
        return res;
    });
    f.start();
    auto opts = f.options();
    opts.timeout = 1s;
    auto& c = f.make_client(opts);
    addon_create_request create;
    create.plan = "heroku-postgresql:x";
    const auto reset = f.run(async_create_addon(c, "shop", create));
    ASSERT_FALSE(reset.ok());
    EXPECT_TRUE(reset.err().outcome_unknown);
    EXPECT_EQ(reset.err().id, "network_error");
    const auto slow = f.run(async_create_restore(c, "db-2", "https://s3/b1"));
    ASSERT_FALSE(slow.ok());
    EXPECT_TRUE(slow.err().outcome_unknown);
    EXPECT_EQ(slow.err().id, "timeout");
    EXPECT_EQ(f.seen.size(), 2u);
}

TEST(heroku_retry, post_to_a_closed_port_is_retried_and_never_unknown) {
    net::io_context io;
    // Reserve a port, then close it: connecting there is refused, nothing is sent.
    net::ip::tcp::acceptor probe(io, {net::ip::make_address("127.0.0.1"), 0});
    const auto port = probe.local_endpoint().port();
    probe.close();
    fake_heroku f;
    f.start();
    auto opts = f.options();
    opts.platform_base = "http://127.0.0.1:" + std::to_string(port);
    opts.retry.max_attempts = 2;
    auto& c = f.make_client(opts);
    attachment_create_request attach;
    attach.addon_name = "pg";
    attach.app = "shop";
    const auto r = f.run(async_create_attachment(c, attach));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().status, 0);
    EXPECT_EQ(r.err().id, "network_error");
    EXPECT_FALSE(r.err().outcome_unknown);
    EXPECT_EQ(f.log.size(), 2u) << "refused before sending: safe to try again";
}

TEST(heroku_retry, throttled_429_waits_then_succeeds) {
    fake_heroku f;
    int calls = 0;
    f.routes.add("GET", "/apps/{app}", [&](http::request&) {
        if (++calls == 1) {
            return http::response::error(429, "rate_limit",
                                         "Your account reached the API rate limit")
                .with_header("RateLimit-Remaining", "0");
        }
        return http::response::json(200, app_body).with_header("RateLimit-Remaining", "10");
    });
    f.start();
    auto opts = f.options();
    opts.rate.min_pause = 300ms;       // RateThrottleClient uses 0.8 s; shorter for the test
    opts.rate.refill_per_minute = 600; // one token per 100 ms
    auto& c = f.make_client(opts);
    const auto started = std::chrono::steady_clock::now();
    const auto r = f.run(async_get_app(c, "shop"));
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(r.ok()) << describe(r.err());
    EXPECT_EQ(calls, 2);
    EXPECT_GE(took, 300ms) << "the retry waited for the 429 pause";
    // Pause 0.3 s, grown x1.2 to 360 ms, then shrunk by 360 * 10/4500 after the success.
    EXPECT_EQ(c.budget().pause(), 359ms);
}

TEST(heroku_retry, remaining_zero_holds_the_next_request) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", [&](http::request&) {
        return http::response::json(200, app_body).with_header("RateLimit-Remaining", "0");
    });
    f.start();
    auto opts = f.options();
    opts.rate.refill_per_minute = 120; // one token per 500 ms
    opts.rate.reserve = 0;
    auto& c = f.make_client(opts);
    ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, 450ms) << "sent into an empty budget instead of waiting";
    EXPECT_LT(took, 2s);
}

} // namespace
} // namespace pgshift::heroku
