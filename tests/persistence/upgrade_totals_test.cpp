// The running totals behind /metrics (migration 7) equal the full scans they replaced, over a
// mixed history, right after the migration, after more commits and after a reopen.
#include "persistence/schema.hpp"
#include "persistence/upgrade_stats.hpp"
#include "persistence/upgrade_store.hpp"
#include "tests/unit/temp_dir.hpp"

#include <gtest/gtest.h>
#include <map>
#include <memory>

namespace pgshift::persistence {
namespace {

time_point at_ms(std::int64_t ms) {
    return time_point(std::chrono::milliseconds(ms));
}

// What count_by_state answered before migration 7: a scan of every upgrade.
std::vector<std::pair<state, std::int64_t>> scanned_counts(sqlite::database& db) {
    std::map<std::string, std::int64_t, std::less<>> counted;
    sqlite::statement st(db, "SELECT state, COUNT(*) FROM upgrades GROUP BY state");
    while (st.step()) {
        counted[st.text(0)] = st.int64(1);
    }
    std::vector<std::pair<state, std::int64_t>> out;
    for (state s : all_states) {
        const auto it = counted.find(to_string(s));
        out.emplace_back(s, it == counted.end() ? 0 : it->second);
    }
    return out;
}

// What step_duration_totals answered before migration 7: a window over the whole history.
std::vector<step_duration_total> scanned_totals(sqlite::database& db) {
    std::map<std::string, step_duration_total, std::less<>> summed;
    sqlite::statement st(
        db, "SELECT to_state, SUM(next_at - at), COUNT(*) FROM (SELECT to_state, at, LEAD(at) "
            "OVER (PARTITION BY upgrade_id ORDER BY seq) AS next_at FROM events WHERE to_state "
            "IS NOT NULL AND (from_state IS NULL OR from_state <> to_state)) WHERE next_at IS "
            "NOT NULL GROUP BY to_state");
    while (st.step()) {
        auto& total = summed[st.text(0)];
        total.milliseconds_sum = st.int64(1);
        total.count = st.int64(2);
    }
    std::vector<step_duration_total> out;
    for (state s : all_states) {
        if (is_terminal(s)) {
            continue;
        }
        step_duration_total total;
        if (const auto it = summed.find(to_string(s)); it != summed.end()) {
            total = it->second;
        }
        total.step = s;
        out.push_back(total);
    }
    return out;
}

class totals_test : public ::testing::Test {
protected:
    totals_test() { open(6); }

    void open(int schema) {
        store_.reset();
        db_.reset();
        db_ = std::make_unique<sqlite::database>(dir_ / "totals.db");
        migrate(*db_, schema);
        store_ = std::make_unique<upgrade_store>(*db_);
    }

    upgrade created(const std::string& id, std::int64_t t) {
        upgrade u;
        u.id = id;
        u.request.app = "app-" + id;
        u.request.plan = "heroku-postgresql:standard-0";
        auto r = store_->create(u, at_ms(t));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
        return r.value();
    }

    upgrade entry(upgrade u, state to, std::int64_t t,
                  event_type type = event_type::step_completed) {
        u.current = to;
        auto r = store_->transition(u, {type, ""}, at_ms(t));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
        return r.value();
    }

    // Upgrades that ended every way, one that re-entered a state, progress entries within
    // a state, and some still running.
    std::vector<upgrade> mixed_history(std::int64_t t0) {
        std::vector<upgrade> running;
        const std::vector<state> happy{state::provisioning,        state::entering_maintenance,
                                       state::scaling_down,        state::capturing,
                                       state::restoring,           state::verifying,
                                       state::promoting,           state::scaling_up,
                                       state::leaving_maintenance, state::confirming};
        for (int i = 0; i < 6; ++i) {
            const std::int64_t t = t0 + i * 100'000;
            upgrade u = created("h" + std::to_string(t0) + "-" + std::to_string(i), t);
            std::int64_t now = t;
            u = entry(u, state::pending, now += 7, event_type::progress);
            const std::size_t reach = 2 + static_cast<std::size_t>(i) * 2;
            for (std::size_t s = 0; s < happy.size() && s < reach; ++s) {
                u = entry(u, happy[s], now += 1000 + i * 37 + static_cast<std::int64_t>(s));
                u = entry(u, happy[s], now += 500, event_type::effect_recorded);
            }
            switch (i % 6) {
            case 0:
                u = entry(u, state::rolling_back, now += 300, event_type::step_failed);
                entry(u, state::rolled_back, now += 200);
                break;
            case 1:
                entry(u, state::cancelled, now += 50);
                break;
            case 2:
                u = entry(u, state::pending, now += 10); // back, then on again
                u = entry(u, state::provisioning, now += 20);
                entry(u, state::failed, now += 30, event_type::step_failed);
                break;
            case 3:
                entry(u, state::succeeded, now += 40);
                break;
            default:
                running.push_back(u); // still running: its stay is not finished
                break;
            }
        }
        return running;
    }

    void expect_scans_agree() {
        EXPECT_EQ(count_by_state(*db_), scanned_counts(*db_));
        EXPECT_EQ(step_duration_totals(*db_), scanned_totals(*db_));
    }

    testing::temp_dir dir_;
    std::unique_ptr<sqlite::database> db_;
    std::unique_ptr<upgrade_store> store_;
};

TEST_F(totals_test, migration_fills_the_totals_from_the_history) {
    mixed_history(1'000'000);
    open(latest_schema_version());
    ASSERT_EQ(schema_version(*db_), latest_schema_version());
    expect_scans_agree();
    // Not vacuous: the history has finished stays in several steps and several states.
    std::int64_t stays = 0;
    for (const auto& t : step_duration_totals(*db_)) {
        stays += t.count;
    }
    EXPECT_GT(stays, 20);
}

TEST_F(totals_test, commits_after_the_migration_keep_the_totals_and_a_reopen_reads_them) {
    auto running = mixed_history(1'000'000);
    open(latest_schema_version());
    ASSERT_FALSE(running.empty());
    upgrade u = entry(running.front(), state::rolling_back, 9'000'000, event_type::step_failed);
    entry(u, state::rolled_back, 9'000'500);
    mixed_history(20'000'000);
    expect_scans_agree();
    open(latest_schema_version()); // a restart: nothing in memory
    expect_scans_agree();
    // A refused transition (stale version) changes nothing.
    upgrade stale = running.back();
    stale.version -= 1;
    stale.current = state::succeeded;
    EXPECT_FALSE(store_->transition(stale, {event_type::step_completed, ""}, at_ms(1)).ok());
    expect_scans_agree();
}

// /metrics costs O(states), not O(history): the figures come from the totals, not the rows.
TEST_F(totals_test, the_figures_are_read_from_the_totals_not_from_the_history) {
    open(latest_schema_version());
    mixed_history(1'000'000);
    db_->exec("UPDATE state_counts SET upgrades = upgrades + 1000 WHERE state = 'succeeded'");
    db_->exec("UPDATE step_duration_totals SET stays = stays + 1000 WHERE step = 'pending'");
    const auto scanned = scanned_counts(*db_);
    const auto counts = count_by_state(*db_);
    const auto i = static_cast<std::size_t>(state::succeeded);
    EXPECT_EQ(counts[i].second, scanned[i].second + 1000);
    EXPECT_EQ(step_duration_totals(*db_).front().count, scanned_totals(*db_).front().count + 1000);
}

TEST_F(totals_test, a_fresh_store_counts_from_its_first_upgrade) {
    open(latest_schema_version());
    expect_scans_agree();
    upgrade u = created("f1", 0);
    u = entry(u, state::provisioning, 2500);
    const auto counts = count_by_state(*db_);
    EXPECT_EQ(counts[static_cast<std::size_t>(state::provisioning)].second, 1);
    EXPECT_EQ(step_duration_totals(*db_).front(), (step_duration_total{state::pending, 2500, 1}));
    expect_scans_agree();
}

} // namespace
} // namespace pgshift::persistence
