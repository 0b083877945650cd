// The client over loopback: headers, Request-Id, logs without the token, keep-alive, errors,
// paging.
#include "heroku/platform_api.hpp"
#include "tests/heroku/fake_heroku.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <regex>

namespace pgshift::heroku {
namespace {

using testing::fake_heroku;

const std::string app_body = R"({"id":"a1","name":"shop","maintenance":false})";

http::response app_answer(http::request&) {
    return http::response::json(200, app_body)
        .with_header("Request-Id", "heroku-rid-1")
        .with_header("RateLimit-Remaining", "4400");
}

TEST(heroku_client, sends_contract_headers) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", app_answer);
    f.routes.add("PATCH", "/apps/{app}", app_answer);
    f.start();
    auto& c = f.make_client();
    ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    ASSERT_TRUE(f.run(async_set_maintenance(c, "shop", true)).ok());
    ASSERT_EQ(f.seen.size(), 2u);
    const auto& get = f.seen[0];
    EXPECT_EQ(get.header_value("Accept").value_or(""), "application/vnd.heroku+json; version=3");
    EXPECT_EQ(get.header_value("Authorization").value_or(""), "Bearer HRKU-test-token-123");
    EXPECT_EQ(get.header_value("User-Agent").value_or("").substr(0, 8), "pgshift/");
    EXPECT_FALSE(get.header_value("Content-Type"));
    const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    const auto rid1 = std::string(get.header_value("Request-Id").value_or(""));
    const auto rid2 = std::string(f.seen[1].header_value("Request-Id").value_or(""));
    EXPECT_TRUE(std::regex_match(rid1, uuid)) << rid1;
    EXPECT_TRUE(std::regex_match(rid2, uuid)) << rid2;
    EXPECT_NE(rid1, rid2);
    const auto& patch = f.seen[1];
    EXPECT_EQ(patch.header_value("Content-Type").value_or(""), "application/json");
    EXPECT_EQ(patch.body, R"({"maintenance":true})");
}

TEST(heroku_client, logs_one_line_per_request_without_token) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", app_answer);
    f.start();
    auto& c = f.make_client();
    ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    ASSERT_EQ(f.log.size(), 1u);
    const auto& line = f.log[0];
    const auto rid = std::string(f.seen[0].header_value("Request-Id").value_or("?"));
    EXPECT_NE(line.find("GET /apps/shop -> 200"), std::string::npos) << line;
    EXPECT_NE(line.find("request_id=" + rid), std::string::npos) << line;
    EXPECT_NE(line.find("heroku_request_id=heroku-rid-1"), std::string::npos) << line;
    EXPECT_NE(line.find("duration_ms="), std::string::npos) << line;
    EXPECT_EQ(line.find("HRKU-test-token-123"), std::string::npos) << line;
    EXPECT_EQ(line.find("maintenance"), std::string::npos) << "no body in the log: " << line;
}

TEST(heroku_client, keep_alive_reuses_one_connection) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", app_answer);
    f.start();
    auto& c = f.make_client();
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    }
    EXPECT_EQ(f.seen.size(), 5u);
    EXPECT_EQ(f.client_ports().size(), 1u);
    EXPECT_EQ(c.connections_opened(), 1u);
}

TEST(heroku_client, does_not_pool_a_connection_the_server_closes) {
    fake_heroku f;
    int calls = 0;
    f.routes.add("GET", "/apps/{app}", [&](http::request& r) {
        auto res = app_answer(r);
        if (++calls == 1) {
            res.with_header("Connection", "close"); // the server ends the keep-alive
        }
        return res;
    });
    f.start();
    auto& c = f.make_client();
    ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    EXPECT_EQ(f.client_ports().size(), 2u);
    EXPECT_EQ(c.connections_opened(), 2u);
}

net::awaitable<int> async_pause(std::chrono::milliseconds d) {
    net::steady_timer timer(co_await net::this_coro::executor, d);
    co_await timer.async_wait(net::use_awaitable);
    co_return 0;
}

TEST(heroku_client, resends_a_get_when_the_pooled_connection_died_idle) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", app_answer);
    http::server_options o;
    o.idle_timeout = std::chrono::seconds(1); // the server drops idle keep-alive connections
    f.start(o);
    auto& c = f.make_client();
    ASSERT_TRUE(f.run(async_get_app(c, "shop")).ok());
    f.run(async_pause(std::chrono::milliseconds(1300)));
    const auto r = f.run(async_get_app(c, "shop"));
    ASSERT_TRUE(r.ok()) << describe(r.err());
    EXPECT_EQ(c.connections_opened(), 2u);
    EXPECT_EQ(f.seen.size(), 2u);
    EXPECT_EQ(f.log.size(), 2u) << "one logical attempt: the resend is the transport's";
}

TEST(heroku_client, error_bodies_map_to_status_id_message) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", [](http::request&) {
        return http::response::error(404, "not_found", "Couldn't find that app.")
            .with_header("Request-Id", "heroku-404");
    });
    f.start();
    auto& c = f.make_client();
    const auto r = f.run(async_get_app(c, "nope"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().status, 404);
    EXPECT_EQ(r.err().id, "not_found");
    EXPECT_EQ(r.err().message, "Couldn't find that app.");
    EXPECT_EQ(r.err().heroku_request_id, "heroku-404");
    EXPECT_EQ(r.err().request_id, f.seen.at(0).header_value("Request-Id").value_or("?"));
    EXPECT_TRUE(is_not_found(r.err()));
    EXPECT_FALSE(is_retryable(r.err()));
    EXPECT_EQ(f.seen.size(), 1u) << "a 404 is not retried";
    EXPECT_NE(describe(r.err()).find("404 not_found"), std::string::npos);
}

TEST(heroku_client, non_heroku_error_body_and_bad_json) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", [](http::request& r) {
        if (r.params["app"] == "html") {
            http::response res;
            res.status = 403;
            res.body = "<html>forbidden</html>";
            return res;
        }
        return http::response::json(200, R"({"id":"a1","name":"x"})");
    });
    f.start();
    auto& c = f.make_client();
    const auto html = f.run(async_get_app(c, "html"));
    ASSERT_FALSE(html.ok());
    EXPECT_EQ(html.err().status, 403);
    EXPECT_EQ(html.err().id, "http_error");
    const auto bad = f.run(async_get_app(c, "bad"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.err().status, 200);
    EXPECT_EQ(bad.err().id, "invalid_response");
    EXPECT_NE(bad.err().message.find("\"maintenance\" is missing"), std::string::npos);
    EXPECT_FALSE(bad.err().request_id.empty());
}

TEST(heroku_client, follows_next_range_across_three_pages) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}/formation", [](http::request& r) {
        const auto range = r.header_value("Range");
        auto entry = [](const char* type) {
            return std::string(R"({"type":")") + type + R"(","quantity":1,"size":"S"})";
        };
        if (!range) {
            return http::response::json(206, "[" + entry("web") + "]")
                .with_header("Next-Range", "id ]web..; max=1");
        }
        if (*range == "id ]web..; max=1") {
            return http::response::json(206, "[" + entry("worker") + "]")
                .with_header("Next-Range", "id ]worker..; max=1");
        }
        return http::response::json(206, "[" + entry("clock") + "]"); // 206, no Next-Range: end
    });
    f.start();
    auto& c = f.make_client();
    const auto r = f.run(async_list_formation(c, "shop"));
    ASSERT_TRUE(r.ok()) << describe(r.err());
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0].type, "web");
    EXPECT_EQ((*r)[1].type, "worker");
    EXPECT_EQ((*r)[2].type, "clock");
    ASSERT_EQ(f.seen.size(), 3u);
    EXPECT_EQ(f.seen[2].header_value("Range").value_or(""), "id ]worker..; max=1");
}

TEST(heroku_client, paging_is_bounded) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}/formation", [](http::request&) {
        return http::response::json(206, R"([{"type":"web","quantity":1,"size":"S"}])")
            .with_header("Next-Range", "id ]x..");
    });
    f.start();
    auto opts = f.options();
    opts.max_pages = 4;
    auto& c = f.make_client(opts);
    const auto r = f.run(async_list_formation(c, "shop"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("more than 4 pages"), std::string::npos);
    EXPECT_EQ(f.seen.size(), 4u);
}

} // namespace
} // namespace pgshift::heroku
