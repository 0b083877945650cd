// Crash anywhere: pgshiftd SIGKILLed at every crash point, restarted, still upgrades once.
#include "persistence/schema.hpp"
#include "tests/daemon/harness.hpp"
#include "tests/support/pg_query.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <optional>
#include <signal.h>
#include <unistd.h>

namespace pgshift::testing {
namespace {

using std::chrono::steady_clock;

// Every state change of the default request (verify on, no window, source kept), in order:
// `after_transition:N` stops the daemon right after the N-th of them is committed.
const std::vector<state> default_path{state::pending,
                                      state::provisioning,
                                      state::entering_maintenance,
                                      state::scaling_down,
                                      state::capturing,
                                      state::restoring,
                                      state::verifying,
                                      state::promoting,
                                      state::scaling_up,
                                      state::leaving_maintenance,
                                      state::confirming,
                                      state::succeeded};

// One crashing run: where it dies, and what the store and the ledger must show afterwards.
// `effect` is a ledger kind the crash left done on Heroku; `identity` is where its answer
// would have been recorded, still empty after the crash.
struct crash_stop {
    std::string at;                // PGSHIFT_CRASH_AT
    state stored = state::pending; // the upgrade's state after the crash
    std::string effect = {};
    std::string upgrade::*identity = nullptr;
    std::vector<std::string> args = {}; // extra pgshiftd flags for this run
    bool restore_in_flight = false;     // killed while Heroku was still restoring
};

struct crash_case {
    std::string name; // the test's suffix and, with dashes, the app's name
    std::vector<crash_stop> stops;
    int rows = 3000;
};

// gtest prints a parameter in the test list; without this it prints its bytes.
void PrintTo(const crash_case& c, std::ostream* os) {
    *os << c.name;
}

crash_stop at_transition(int n) {
    return {.at = "after_transition:" + std::to_string(n), .stored = default_path.at(n)};
}

std::vector<crash_case> all_cases() {
    const crash_stop create_addon{.at = "after_create_addon",
                                  .stored = state::provisioning,
                                  .effect = "addon_created",
                                  .identity = &upgrade::target_addon_id};
    const crash_stop capture{.at = "after_capture",
                             .stored = state::capturing,
                             .effect = "backup",
                             .identity = &upgrade::backup_uuid};
    const crash_stop restore{.at = "after_restore",
                             .stored = state::restoring,
                             .effect = "restore",
                             .identity = &upgrade::restore_uuid};
    // The restore must outlive a progress commit: 60000 rows keep pg_restore busy for about
    // half a second, and progress is committed after 50 ms instead of the harness's 200.
    const crash_stop mid_restore{.at = "mid_restore",
                                 .stored = state::restoring,
                                 .args = {"--progress-ms", "50"},
                                 .restore_in_flight = true};
    std::vector<crash_case> cases{
        {"after_create_addon_intent",
         {{.at = "after_create_addon_intent", .stored = state::provisioning}}},
        {"after_create_addon", {create_addon}},
        {"after_capture", {capture}},
        {"after_restore", {restore}},
        {"mid_restore", {mid_restore}, 60000},
        {"after_promote",
         {{.at = "after_promote", .stored = state::promoting, .effect = "promotion"}}},
    };
    for (int n = 1; n < static_cast<int>(default_path.size()); ++n) {
        cases.push_back({"after_transition_" + std::to_string(n), {at_transition(n)}});
    }
    // The second crash hits the resumed run: reconciling must survive being interrupted too.
    cases.push_back({"after_create_addon_then_after_restore", {create_addon, restore}});
    return cases;
}

std::string app_name(const crash_case& c) {
    std::string name = "c-" + c.name;
    std::replace(name.begin(), name.end(), '_', '-');
    return name;
}

// The states an upgrade went through, from its history (pgshiftd must not be running).
std::vector<state> state_path(const std::filesystem::path& state_dir, const std::string& id) {
    sqlite::database db(state_dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);
    std::vector<state> path{state::pending};
    for (const event_record& e : store.events(id)) {
        if (e.from && e.to && *e.from != *e.to) {
            path.push_back(*e.to);
        }
    }
    return path;
}

std::string names(const std::vector<state>& states) {
    std::string out;
    for (state s : states) {
        out += (out.empty() ? "" : " ") + std::string(to_string(s));
    }
    return out;
}

class crash_anywhere : public ::testing::TestWithParam<crash_case> {
protected:
    void SetUp() override {
        app_ = app_name(GetParam());
        dir_ = work_dir(GetParam().name);
        emu_.emplace(dir_);
        emu_->fast_timings();
        emu_->seed_app(app_, "web=2 worker=3 release=0", sample_sql(GetParam().rows));
        old_url_ = emu_->config_var(app_, "DATABASE_URL");
        digest_before_ = content_digest(old_url_);
        formation_before_ = formation_of(*emu_, app_);
        maintenance_before_ = maintenance();
    }

    void TearDown() override {
        if (!HasFailure()) {
            std::filesystem::remove_all(dir_);
        }
    }

    // Runs pgshiftd until `stop.at` kills it; fails unless SIGKILL came from the crash point.
    void crash_at(const crash_stop& stop, bool start) {
        constexpr auto limit = std::chrono::seconds(30);
        std::vector<std::string> args = stop.args;
        if (start) {
            enqueue_upgrade(state_dir(), app_, "heroku-postgresql:standard-2", "16");
        }
        auto began = steady_clock::now();
        daemon_run run =
            run_daemon(*emu_, state_dir(), args, {"PGSHIFT_CRASH_AT=" + stop.at}, limit);
        ASSERT_FALSE(run.status.exited)
            << stop.at << " was never reached: pgshiftd exited with " << run.status.code
            << " (is it built with PGSHIFT_CRASH_POINTS?)\n"
            << run.err;
        // The harness also SIGKILLs at its limit: only an earlier death is the crash point's.
        ASSERT_LT(steady_clock::now() - began, limit)
            << stop.at << " was not reached within " << limit.count() << " s\n"
            << run.err;
        ASSERT_EQ(run.status.signal, SIGKILL) << stop.at << "\n" << run.err;
    }

    // What the crash left: the stored state, and a side effect done but not yet recorded.
    void expect_left_behind(const crash_stop& stop, const std::map<std::string, int>& before) {
        auto upgrades = stored_upgrades(state_dir());
        ASSERT_EQ(upgrades.size(), 1U);
        const upgrade& u = upgrades[0];
        EXPECT_EQ(to_string(u.current), to_string(stop.stored)) << "after " << stop.at;
        if (!stop.effect.empty()) {
            auto was = before.find(stop.effect);
            int expected = (was == before.end() ? 0 : was->second) + 1;
            EXPECT_EQ(emu_->ledger_counts(app_)[stop.effect], expected)
                << stop.at << ": the POST should have been answered before the crash";
        }
        if (stop.identity != nullptr) {
            EXPECT_EQ(u.*stop.identity, "") << stop.at << ": its answer was committed already";
        }
        if (stop.restore_in_flight) {
            // The last progress commit saw the restore running: not finished when killed.
            EXPECT_NE(u.restore_uuid, "");
            EXPECT_TRUE(u.transfer.message == "running" || u.transfer.message == "pending")
                << "last progress: " << u.transfer.message;
        }
    }

    // After the final run: the upgrade as the happy path ends it, every effect once.
    void expect_upgraded_once(const upgrade& u) {
        EXPECT_EQ(to_string(u.current), "succeeded") << u.last_error;
        EXPECT_FALSE(u.needs_attention);
        EXPECT_EQ(names(state_path(state_dir(), u.id)), names(default_path));

        auto ledger = emu_->ledger_counts(app_);
        EXPECT_EQ(ledger["addon_created"], 1);
        EXPECT_EQ(ledger["backup"], 1);
        EXPECT_EQ(ledger["restore"], 1);
        EXPECT_EQ(ledger["promotion"], 1);

        std::string new_url = emu_->config_var(app_, "DATABASE_URL");
        EXPECT_NE(new_url, old_url_);
        EXPECT_EQ(content_digest(new_url), digest_before_);
        bool database_is_target = false;
        for (const json& a : emu_->heroku("GET", "/apps/" + app_ + "/addon-attachments")) {
            database_is_target |=
                a["name"] == "DATABASE" && a["addon"]["name"] == u.target_addon_name;
        }
        EXPECT_TRUE(database_is_target);
        EXPECT_EQ(formation_of(*emu_, app_), formation_before_);
        EXPECT_EQ(maintenance(), maintenance_before_);
    }

    bool maintenance() { return emu_->heroku("GET", "/apps/" + app_)["maintenance"].get<bool>(); }

    std::filesystem::path state_dir() const { return dir_ / "state"; }

    std::string app_;
    std::filesystem::path dir_;
    std::optional<emulator> emu_;
    std::string old_url_, digest_before_;
    std::map<std::string, int> formation_before_;
    bool maintenance_before_ = false;
};

TEST_P(crash_anywhere, resumes_to_succeeded_with_every_side_effect_once) {
    const auto& stops = GetParam().stops;
    for (std::size_t i = 0; i < stops.size(); ++i) {
        auto ledger_before = emu_->ledger_counts(app_);
        ASSERT_NO_FATAL_FAILURE(crash_at(stops[i], i == 0));
        expect_left_behind(stops[i], ledger_before);
    }

    daemon_run run = run_daemon(*emu_, state_dir(), {}, {}, std::chrono::seconds(60));
    ASSERT_TRUE(run.status.exited) << run.err;
    ASSERT_EQ(run.status.code, 0) << run.err;
    auto upgrades = stored_upgrades(state_dir());
    ASSERT_EQ(upgrades.size(), 1U);
    expect_upgraded_once(upgrades[0]);
    // Across the crashes too: every effect requested has exactly one outcome.
    EXPECT_EQ(effect_history_problems(stored_events(state_dir(), upgrades[0].id)), "");
    if (HasFailure()) {
        ADD_FAILURE() << "the resumed run's log:\n" << run.err;
    }
}

INSTANTIATE_TEST_SUITE_P(every_point, crash_anywhere, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return info.param.name; });

} // namespace
} // namespace pgshift::testing
