// The downtime scheduler's lines: concurrency, budget, provisioning pace, order and reasons.
#include "daemon/downtime_gate.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace pgshift::daemon {
namespace {

using namespace std::chrono_literals;

const time_point t0{std::chrono::hours(24 * 365 * 56)};

downtime_gate::applicant app(const std::string& id, int created_s,
                             std::optional<int> own = std::nullopt) {
    return {id, t0 + std::chrono::seconds(created_s), own};
}

constexpr double plenty = 1e6;

TEST(downtime_gate, no_more_than_max_downtime_concurrency_apps_are_down_at_once) {
    downtime_gate g({.max_downtime_concurrency = 2, .provision_ahead = 16, .downtime_calls = 10});
    EXPECT_FALSE(g.ask_downtime(app("a", 1), plenty, t0));
    EXPECT_FALSE(g.ask_downtime(app("b", 2), plenty, t0));
    auto w = g.ask_downtime(app("c", 3), plenty, t0);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->reason, wait_reason::concurrency);
    EXPECT_EQ(w->place, 1);
    EXPECT_EQ(w->detail, "2 apps of 2 in maintenance (max_downtime_concurrency)");
    EXPECT_EQ(g.waiting("c"), w) << "the API reads the same status";
    EXPECT_EQ(g.down(), 2u);
    g.up_again("a", 12);
    EXPECT_FALSE(g.ask_downtime(app("c", 3), plenty, t0 + 1s));
    EXPECT_FALSE(g.waiting("c"));
    EXPECT_EQ(g.down(), 2u);
}

TEST(downtime_gate, the_line_is_by_creation_and_nobody_overtakes_an_upgrade_that_could_go) {
    downtime_gate g({.max_downtime_concurrency = 1, .provision_ahead = 16, .downtime_calls = 10});
    ASSERT_FALSE(g.ask_downtime(app("a", 1), plenty, t0));
    // b was created before c, but c asks first: it waits behind b.
    auto c = g.ask_downtime(app("c", 3), plenty, t0);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->place, 1);
    auto b = g.ask_downtime(app("b", 2), plenty, t0);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->place, 1);
    c = g.ask_downtime(app("c", 3), plenty, t0); // asked again (every second): now second
    ASSERT_TRUE(c);
    EXPECT_EQ(c->place, 2);
    g.up_again("a", std::nullopt);
    c = g.ask_downtime(app("c", 3), plenty, t0 + 1s);
    ASSERT_TRUE(c) << "b is first in line";
    EXPECT_EQ(c->place, 1) << "b would go first";
    EXPECT_FALSE(g.ask_downtime(app("b", 2), plenty, t0 + 1s));
}

TEST(downtime_gate, an_upgrade_enters_only_when_the_budget_carries_its_whole_downtime) {
    downtime_gate g({.max_downtime_concurrency = 8, .provision_ahead = 16, .downtime_calls = 40});
    EXPECT_EQ(g.reservation(), 50) << "a quarter more than expected";
    auto w = g.ask_downtime(app("a", 1), 49, t0);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->reason, wait_reason::budget);
    EXPECT_NE(w->detail.find("~50 Heroku calls"), std::string::npos) << w->detail;
    EXPECT_NE(w->detail.find("49 free"), std::string::npos) << w->detail;
    EXPECT_FALSE(g.ask_downtime(app("a", 1), 50, t0 + 1s));
}

TEST(downtime_gate, one_waiting_for_the_budget_holds_everyone_behind_it) {
    downtime_gate g({.max_downtime_concurrency = 8, .provision_ahead = 16, .downtime_calls = 40});
    ASSERT_TRUE(g.ask_downtime(app("a", 1), 30, t0));
    // b is behind a: with the same 30 free it waits too, for the budget.
    auto b = g.ask_downtime(app("b", 2), 30, t0);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->reason, wait_reason::budget);
    EXPECT_EQ(b->place, 2);
    // Enough for one: a (first) would take it, so b still waits.
    EXPECT_TRUE(g.ask_downtime(app("b", 2), 60, t0 + 1s));
    EXPECT_FALSE(g.ask_downtime(app("a", 1), 60, t0 + 1s));
    EXPECT_FALSE(g.ask_downtime(app("b", 2), 60, t0 + 1s)) << "a is down, its calls set aside";
}

TEST(downtime_gate, an_upgrade_held_by_its_own_stricter_limit_holds_nobody) {
    downtime_gate g({.max_downtime_concurrency = 4, .provision_ahead = 16, .downtime_calls = 10});
    ASSERT_FALSE(g.ask_downtime(app("a", 1), plenty, t0));
    auto alone = g.ask_downtime(app("b", 2, 1), plenty, t0); // only while no other app is down
    ASSERT_TRUE(alone);
    EXPECT_EQ(alone->reason, wait_reason::concurrency);
    EXPECT_NE(alone->detail.find("own limit is 1"), std::string::npos) << alone->detail;
    EXPECT_FALSE(g.ask_downtime(app("c", 3), plenty, t0)) << "c overtakes b";
    g.up_again("a", std::nullopt);
    g.up_again("c", std::nullopt);
    EXPECT_FALSE(g.ask_downtime(app("b", 2, 1), plenty, t0 + 1s));
}

TEST(downtime_gate, the_reservation_follows_what_downtimes_cost) {
    downtime_gate g({.max_downtime_concurrency = 8, .provision_ahead = 16, .downtime_calls = 60});
    ASSERT_FALSE(g.ask_downtime(app("a", 1), plenty, t0));
    g.up_again("a", 20);
    EXPECT_EQ(g.reservation(), 25);
    ASSERT_FALSE(g.ask_downtime(app("b", 2), plenty, t0));
    g.up_again("b", 40);
    EXPECT_EQ(g.reservation(), std::ceil((0.7 * 20 + 0.3 * 40) * 1.25));
}

TEST(downtime_gate, provisioning_is_paced_by_the_add_ons_waiting_for_their_downtime) {
    downtime_gate g({.max_downtime_concurrency = 1, .provision_ahead = 2, .downtime_calls = 10});
    EXPECT_FALSE(g.ask_provision(app("a", 1), t0));
    EXPECT_FALSE(g.ask_provision(app("b", 2), t0));
    auto c = g.ask_provision(app("c", 3), t0);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->reason, wait_reason::provisioning);
    EXPECT_EQ(c->place, 1);
    auto d = g.ask_provision(app("d", 4), t0);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->place, 2);
    // a goes down: its add-on is no longer waiting, so c may provision (d still waits).
    ASSERT_FALSE(g.ask_downtime(app("a", 1), plenty, t0));
    EXPECT_FALSE(g.ask_provision(app("c", 3), t0 + 1s));
    EXPECT_TRUE(g.ask_provision(app("d", 4), t0 + 1s));
}

TEST(downtime_gate, a_paused_or_ended_upgrade_leaves_the_lines) {
    downtime_gate g({.max_downtime_concurrency = 1, .provision_ahead = 16, .downtime_calls = 10});
    ASSERT_FALSE(g.ask_downtime(app("a", 1), plenty, t0));
    ASSERT_TRUE(g.ask_downtime(app("b", 2), plenty, t0));
    ASSERT_TRUE(g.ask_downtime(app("c", 3), plenty, t0));
    g.leave_lines("b"); // paused
    EXPECT_FALSE(g.waiting("b"));
    EXPECT_EQ(g.ask_downtime(app("c", 3), plenty, t0)->place, 1);
    g.forget("a"); // ended
    EXPECT_FALSE(g.ask_downtime(app("c", 3), plenty, t0));
    EXPECT_TRUE(g.is_down("c"));
}

} // namespace
} // namespace pgshift::daemon
