// Figures derived from the history: step timings, counts by state, step-duration totals.
#include "persistence/schema.hpp"
#include "persistence/upgrade_stats.hpp"
#include "persistence/upgrade_store.hpp"
#include "tests/unit/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pgshift::persistence {
namespace {

time_point at(std::int64_t seconds) {
    return time_point(std::chrono::seconds(seconds));
}

class stats_test : public ::testing::Test {
protected:
    stats_test()
        : db_(dir_ / "stats.db")
        , store_(db_) {
        migrate(db_);
    }

    upgrade created(std::string id, std::string app, std::int64_t t) {
        upgrade u;
        u.id = std::move(id);
        u.request.app = std::move(app);
        u.request.plan = "heroku-postgresql:standard-0";
        auto r = store_.create(u, at(t));
        EXPECT_TRUE(r.ok());
        return r.value();
    }

    // A history entry; moving to `to` when it differs from the current state.
    upgrade entry(upgrade u, state to, std::int64_t t,
                  event_type type = event_type::step_completed) {
        u.current = to;
        auto r = store_.transition(u, {type, ""}, at(t));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
        return r.value();
    }

    testing::temp_dir dir_;
    sqlite::database db_;
    upgrade_store store_;
};

TEST_F(stats_test, TimingsFollowStateChangesAndIgnoreOtherEntries) {
    upgrade u = created("u1", "sushi", 100);
    u = entry(u, state::pending, 105, event_type::progress); // not a state change
    u = entry(u, state::provisioning, 110);
    u = entry(u, state::provisioning, 150, event_type::effect_recorded);
    u = entry(u, state::rolling_back, 200, event_type::step_failed);
    const auto running = step_timings(db_, "u1");
    ASSERT_EQ(running.size(), 3u);
    EXPECT_EQ(running[0], (step_timing{state::pending, at(100), at(110)}));
    EXPECT_EQ(running[1], (step_timing{state::provisioning, at(110), at(200)}));
    EXPECT_EQ(running[2], (step_timing{state::rolling_back, at(200), std::nullopt}));
    entry(u, state::rolled_back, 230);
    const auto ended = step_timings(db_, "u1");
    ASSERT_EQ(ended.size(), 3u); // the terminal state is an end, not a step
    EXPECT_EQ(ended[2].finished_at, at(230));
    EXPECT_TRUE(step_timings(db_, "nope").empty());
}

TEST_F(stats_test, ReenteredStateAppearsAgain) {
    upgrade u = created("u1", "sushi", 0);
    u = entry(u, state::provisioning, 10);
    u = entry(u, state::pending, 20);
    u = entry(u, state::provisioning, 30);
    const auto t = step_timings(db_, "u1");
    ASSERT_EQ(t.size(), 4u);
    EXPECT_EQ(t[3], (step_timing{state::provisioning, at(30), std::nullopt}));
}

TEST_F(stats_test, CountByStateListsEveryState) {
    EXPECT_EQ(count_by_state(db_).size(), all_states.size());
    created("u1", "a1", 0);
    entry(created("u2", "a2", 0), state::provisioning, 5);
    entry(created("u3", "a3", 0), state::cancelled, 5);
    created("u4", "a3", 10); // a3's first upgrade ended: a second may start
    const auto counts = count_by_state(db_);
    ASSERT_EQ(counts.size(), all_states.size());
    for (const auto& [s, n] : counts) {
        const std::int64_t want = s == state::pending        ? 2
                                  : s == state::provisioning ? 1
                                  : s == state::cancelled    ? 1
                                                             : 0;
        EXPECT_EQ(n, want) << to_string(s);
    }
}

TEST_F(stats_test, DurationTotalsSumFinishedStaysAcrossUpgrades) {
    upgrade a = created("u1", "a1", 0);
    a = entry(a, state::provisioning, 10);         // pending: 10 s
    a = entry(a, state::entering_maintenance, 40); // provisioning: 30 s
    upgrade b = created("u2", "a2", 100);
    b = entry(b, state::provisioning, 102); // pending: 2 s; provisioning still running
    const auto totals = step_duration_totals(db_);
    std::size_t non_terminal = 0;
    for (state s : all_states) {
        non_terminal += is_terminal(s) ? 0 : 1;
    }
    ASSERT_EQ(totals.size(), non_terminal);
    for (const auto& t : totals) {
        if (t.step == state::pending) {
            EXPECT_EQ(t, (step_duration_total{state::pending, 12'000, 2}));
        } else if (t.step == state::provisioning) {
            EXPECT_EQ(t, (step_duration_total{state::provisioning, 30'000, 1}));
        } else {
            EXPECT_EQ(t.count, 0) << to_string(t.step);
            EXPECT_EQ(t.milliseconds_sum, 0);
        }
    }
}

} // namespace
} // namespace pgshift::persistence
