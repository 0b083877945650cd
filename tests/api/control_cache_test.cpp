// GET /v1/upgrades/{id} from the answer cache: the same bytes as a fresh render, a new
// answer after every commit, live answers no older than their limit.
#include "api/control_cache.hpp"
#include "api/control_handlers.hpp"
#include "tests/api/control_fixture.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pgshift::testing {
namespace {

using json = nlohmann::json;
using api::detail::answer_cache;
using namespace std::chrono_literals;

TEST(answer_cache, serves_a_body_only_at_its_revision) {
    answer_cache cache;
    const auto t = answer_cache::clock::now();
    EXPECT_EQ(cache.find("u1", 1, {}, t), nullptr);
    cache.put("u1", 1, {}, true, "one", t);
    ASSERT_NE(cache.find("u1", 1, {}, t), nullptr);
    EXPECT_EQ(*cache.find("u1", 1, {}, t), "one");
    EXPECT_EQ(cache.find("u1", 2, {}, t), nullptr); // committed since
    EXPECT_EQ(cache.find("u2", 1, {}, t), nullptr);
    cache.put("u1", 2, {}, true, "two", t);
    EXPECT_EQ(*cache.find("u1", 2, {}, t), "two");
    EXPECT_EQ(cache.find("u1", 1, {}, t), nullptr);
}

TEST(answer_cache, another_waiting_status_is_another_answer) {
    answer_cache cache;
    const auto t = answer_cache::clock::now();
    const waiting_status budget{wait_reason::budget, 2, {}, "needs 41 calls, 12 free"};
    cache.put("u1", 1, budget, false, "waits", t);
    EXPECT_NE(cache.find("u1", 1, budget, t), nullptr);
    EXPECT_EQ(cache.find("u1", 1, std::nullopt, t), nullptr);
    auto moved_up = budget;
    moved_up.place = 1;
    EXPECT_EQ(cache.find("u1", 1, moved_up, t), nullptr);
}

TEST(answer_cache, live_bodies_expire_finished_ones_do_not) {
    answer_cache cache(500ms);
    const auto t = answer_cache::clock::now();
    cache.put("running", 3, {}, false, "live", t);
    cache.put("done", 3, {}, true, "final", t);
    EXPECT_NE(cache.find("running", 3, {}, t + 499ms), nullptr);
    EXPECT_EQ(cache.find("running", 3, {}, t + 500ms), nullptr);
    EXPECT_NE(cache.find("done", 3, {}, t + 24h), nullptr);
}

TEST(answer_cache, stays_within_its_capacity) {
    answer_cache cache(500ms, 3);
    const auto t = answer_cache::clock::now();
    for (int i = 0; i < 10; ++i) {
        cache.put("u" + std::to_string(i), 1, {}, true, "b", t);
        EXPECT_LE(cache.size(), 3u);
    }
    EXPECT_NE(cache.find("u9", 1, {}, t), nullptr); // the newest is always kept
}

class control_cache : public ::testing::Test {
protected:
    // What the handler renders now, without the cache.
    std::string fresh(const std::string& id) {
        std::string body;
        h_.on_loop([&] {
            body = api::render_upgrade(
                api::detail::view_of(h_.backend(), h_.backend().get(id).value()));
        });
        return body;
    }

    // Moves the upgrade on until it ends.
    void finish(const std::string& id) {
        for (int i = 0; i < 40 && !is_terminal(h_.advance(id)); ++i) {
        }
    }

    control_harness h_;
    http_client c_{"127.0.0.1", h_.port()};
};

TEST_F(control_cache, a_finished_upgrade_is_served_from_the_cache_byte_for_byte) {
    const auto id = h_.started("sushi");
    finish(id);
    const auto first = c_.request("GET", "/v1/upgrades/" + id);
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_TRUE(is_terminal(*parse_state(json::parse(first.body)["state"].get<std::string>())));
    // The store cannot be read any more: the answer comes from the cache, unchanged.
    h_.on_loop([&] { h_.backend().throw_on_get = true; });
    const auto cached = c_.request("GET", "/v1/upgrades/" + id);
    ASSERT_EQ(cached.status, 200) << cached.body;
    EXPECT_EQ(cached.body, first.body);
    EXPECT_EQ(cached.header("Content-Type"), first.header("Content-Type"));
    EXPECT_EQ(cached.header("Content-Length"), first.header("Content-Length"));
    const auto head = c_.request("HEAD", "/v1/upgrades/" + id);
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(head.header("Content-Length"), first.header("Content-Length"));
    h_.on_loop([&] { h_.backend().throw_on_get = false; });
    EXPECT_EQ(cached.body, fresh(id));
}

TEST_F(control_cache, every_commit_shows_in_the_next_answer) {
    const auto id = h_.started("sushi");
    auto before = c_.request("GET", "/v1/upgrades/" + id);
    ASSERT_EQ(before.status, 200) << before.body;
    for (int i = 0; i < 3; ++i) {
        const state now_in = h_.advance(id);
        const auto after = c_.request("GET", "/v1/upgrades/" + id);
        ASSERT_EQ(after.status, 200) << after.body;
        const auto was = json::parse(before.body);
        const auto is = json::parse(after.body);
        EXPECT_EQ(is["state"], to_string(now_in));
        EXPECT_NE(is["updated_at"], was["updated_at"]); // the fixture's clock moves per commit
        EXPECT_EQ(is["timings"].size(), was["timings"].size() + 1);
        before = after;
    }
    // An operator command commits too.
    h_.on_loop([&] { ASSERT_TRUE(h_.backend().command(id, command::pause).ok()); });
    const auto paused = c_.request("GET", "/v1/upgrades/" + id);
    EXPECT_EQ(json::parse(paused.body)["paused"], true) << paused.body;
}

TEST_F(control_cache, an_unknown_upgrade_is_never_cached) {
    EXPECT_EQ(c_.request("GET", "/v1/upgrades/nope").status, 404);
    EXPECT_EQ(c_.request("GET", "/v1/upgrades/nope").status, 404);
}

} // namespace
} // namespace pgshift::testing
