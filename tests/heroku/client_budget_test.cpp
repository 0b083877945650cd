// Downtime first in the client: urgent calls go before ordinary ones and draw on the tokens
// set aside for them, which ordinary calls leave alone.
#include "heroku/platform_api.hpp"
#include "tests/heroku/fake_heroku.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace pgshift::heroku {
namespace {

using testing::fake_heroku;
using namespace std::chrono_literals;

// No RateLimit-Remaining: the client's own count is the only one.
http::response app_answer(http::request& r) {
    return http::response::json(200, R"({"id":"a1","name":")" + r.params.at("app") +
                                         R"(","maintenance":false})");
}

std::vector<std::string> apps_seen(const fake_heroku& f) {
    std::vector<std::string> out;
    for (const auto& r : f.seen) {
        out.push_back(r.target.substr(r.target.rfind('/') + 1));
    }
    return out;
}

// Starts every call at once (ordinary first, in order, then the urgent ones) and waits
// until `wanted` of them answered.
net::awaitable<int> call_all(client& ordinary, client& urgent, int n_ordinary, int n_urgent,
                             int wanted) {
    auto ex = co_await net::this_coro::executor;
    auto done = std::make_shared<int>(0);
    auto one = [](client& c, std::string app, std::shared_ptr<int> d) -> net::awaitable<void> {
        auto got = co_await async_get_app(c, std::move(app));
        if (got) {
            ++*d;
        }
    };
    for (int i = 1; i <= n_ordinary; ++i) {
        net::co_spawn(ex, one(ordinary, "o" + std::to_string(i), done), net::detached);
    }
    for (int i = 1; i <= n_urgent; ++i) {
        net::co_spawn(ex, one(urgent, "u" + std::to_string(i), done), net::detached);
    }
    net::steady_timer t(ex);
    while (*done < wanted) {
        t.expires_after(10ms);
        co_await t.async_wait(net::use_awaitable);
    }
    co_return *done;
}

client_options tight(const fake_heroku& f, double capacity, double refill_per_minute) {
    auto o = f.options();
    o.rate.capacity = capacity;
    o.rate.refill_per_minute = refill_per_minute;
    o.rate.reserve = 0;
    return o;
}

TEST(heroku_client_budget, an_urgent_call_goes_before_ordinary_calls_waiting_for_a_token) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", app_answer);
    f.start();
    auto& c = f.make_client(tight(f, 2, 600)); // two tokens, then one every 100 ms
    budget_share share;
    client urgent(c, share);
    ASSERT_EQ(f.run(call_all(c, urgent, 5, 1, 6)), 6);
    // Two ordinary calls took the two tokens; the urgent one was next, before o3…o5 that
    // were waiting before it.
    const auto order = apps_seen(f);
    ASSERT_EQ(order.size(), 6u);
    EXPECT_EQ(order[2], "u1") << ::testing::PrintToString(order);
    EXPECT_EQ(share.used, 1);
}

TEST(heroku_client_budget, ordinary_calls_leave_the_tokens_set_aside_for_a_downtime) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", app_answer);
    f.start();
    auto& c = f.make_client(tight(f, 10, 0.001)); // ten tokens, no refill to speak of
    budget_share share;
    c.reserve(share, 8);
    EXPECT_EQ(c.reserved(), 8);
    client urgent(c, share);
    // Five ordinary calls and eight urgent ones: the eight and two ordinary ones go.
    ASSERT_EQ(f.run(call_all(c, urgent, 5, 8, 10)), 10);
    int ordinary = 0;
    for (const auto& app : apps_seen(f)) {
        ordinary += app[0] == 'o' ? 1 : 0;
    }
    EXPECT_EQ(ordinary, 2);
    EXPECT_EQ(share.used, 8);
    EXPECT_EQ(share.left, 0);
    EXPECT_EQ(c.reserved(), 0) << "each urgent call drew on its share";
}

TEST(heroku_client_budget, release_gives_back_what_a_downtime_did_not_use) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}", app_answer);
    f.start();
    auto& c = f.make_client(tight(f, 100, 75));
    budget_share a;
    budget_share b;
    c.reserve(a, 30);
    c.reserve(b, 20);
    client urgent(c, a);
    ASSERT_TRUE(f.run(async_get_app(urgent, "shop")).ok());
    EXPECT_EQ(a.left, 29);
    EXPECT_EQ(c.reserved(), 49);
    c.release(a);
    EXPECT_EQ(a.left, 0);
    EXPECT_EQ(c.reserved(), 20);
}

} // namespace
} // namespace pgshift::heroku
