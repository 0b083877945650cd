// The promotion's release, found by version; a failed release phase told in Heroku's words.
#include "persistence/sqlite.hpp"
#include "persistence/upgrade_store.hpp"
#include "tests/daemon/harness.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <thread>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

std::uint16_t port_of(const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// PATCH /apps/{app}/config-vars: each one is a release of its own ("Set … config vars").
void set_config_var(const emulator& emu, const std::string& app, const std::string& name,
                    const std::string& value) {
    http_client c("127.0.0.1", port_of(emu.url()));
    auto reply = c.request("PATCH", "/apps/" + app + "/config-vars", json{{name, value}}.dump(),
                           {{"Authorization", std::string("Bearer ") + emulator_token},
                            {"Accept", "application/vnd.heroku+json; version=3"},
                            {"Content-Type", "application/json"}});
    ASSERT_EQ(reply.status, 200) << reply.body;
}

json releases_of(emulator& emu, const std::string& app) {
    return emu.heroku("GET", "/apps/" + app + "/releases");
}

const json* release_numbered(const json& releases, std::int64_t version) {
    for (const json& r : releases) {
        if (r["version"].get<std::int64_t>() == version) {
            return &r;
        }
    }
    return nullptr;
}

// The history's details of one upgrade, joined (pgshiftd must not be running).
std::string history_of(const std::filesystem::path& state_dir, const std::string& id) {
    sqlite::database db(state_dir / "pgshift.db");
    persistence::upgrade_store store(db);
    std::string out;
    for (const auto& e : store.events(id)) {
        out += e.detail + "\n";
    }
    return out;
}

// The upgrade as the control API shows it, once `until` holds (or after 60 s).
template<class Until>
json wait_for(daemon_process& d, const std::string& id, Until until) {
    json seen;
    for (auto limit = std::chrono::steady_clock::now() + 60s;
         std::chrono::steady_clock::now() < limit;) {
        auto reply = d.api().request("GET", "/v1/upgrades/" + id);
        if (reply.status != 200) {
            ADD_FAILURE() << reply.status << " " << reply.body;
            return seen;
        }
        seen = json::parse(reply.body);
        if (until(seen)) {
            return seen;
        }
        std::this_thread::sleep_for(200ms);
    }
    return seen;
}

// The version of the promotion's "Attach DATABASE (…)" release, from Heroku's side.
std::int64_t attach_version(const json& releases) {
    for (const json& r : releases) {
        if (r["description"].get<std::string>().starts_with("Attach DATABASE (")) {
            return r["version"].get<std::int64_t>();
        }
    }
    return -1;
}

TEST(release_phase, the_promotion_release_is_found_by_version_behind_later_releases) {
#if !PGSHIFT_HAS_CRASH_POINTS
    GTEST_SKIP() << "needs a build with PGSHIFT_CRASH_POINTS";
#endif
    auto dir = work_dir("release-by-version");
    emulator emu(dir);
    emu.fast_timings();
    emu.seed_app("relver", "web=1 worker=1", sample_sql(50));
    auto id = enqueue_upgrade(dir / "state", "relver", "heroku-postgresql:standard-0");

    // Killed right after the promote POST, before anything watched its release.
    daemon_run crashed =
        run_daemon(emu, dir / "state", {}, {"PGSHIFT_CRASH_AT=after_promote"}, 60s);
    ASSERT_FALSE(crashed.status.exited) << crashed.err;
    ASSERT_EQ(crashed.status.signal, SIGKILL) << crashed.err;
    ASSERT_EQ(emu.ledger_counts("relver")["promotion"], 1) << crashed.err;
    // Meanwhile someone changes config vars six times: the newest releases are all theirs,
    // and the promotion's is no longer among the newest five the CLI would look at.
    for (int i = 0; i < 6; ++i) {
        ASSERT_NO_FATAL_FAILURE(set_config_var(emu, "relver", "FLAG", std::to_string(i)));
    }

    daemon_run run = run_daemon(emu, dir / "state", {}, {}, 60s);
    ASSERT_TRUE(run.status.exited) << run.err;
    ASSERT_EQ(run.status.code, 0) << run.err;
    auto upgrades = stored_upgrades(dir / "state");
    ASSERT_EQ(upgrades.size(), 1U);
    const upgrade& u = upgrades[0];
    EXPECT_EQ(u.current, state::succeeded) << u.last_error;
    ASSERT_TRUE(u.release_before_promote.has_value()) << "the intent records the version";
    const json releases = releases_of(emu, "relver");
    const std::int64_t attach = attach_version(releases);
    EXPECT_GT(attach, *u.release_before_promote);
    const std::string history = history_of(dir / "state", id);
    EXPECT_NE(history.find("release v" + std::to_string(attach) + " (Attach DATABASE"),
              std::string::npos)
        << history;
    EXPECT_EQ(emu.ledger_counts("relver")["promotion"], 1);
}

TEST(release_phase, a_release_phase_that_succeeds_is_waited_for_and_recorded) {
    auto dir = work_dir("release-ok");
    emulator emu(dir);
    emu.fast_timings();
    emu.control("PUT", "/_emulator/timings", {{"release_phase_ms", 1500}});
    emu.seed_app("relok", "web=1 worker=1", sample_sql(50));
    auto id = enqueue_upgrade(dir / "state", "relok", "heroku-postgresql:standard-0");

    daemon_run run = run_daemon(emu, dir / "state", {}, {}, 60s);
    ASSERT_TRUE(run.status.exited) << run.err;
    ASSERT_EQ(run.status.code, 0) << run.err;
    auto upgrades = stored_upgrades(dir / "state");
    ASSERT_EQ(upgrades.size(), 1U);
    EXPECT_EQ(upgrades[0].current, state::succeeded) << upgrades[0].last_error;
    const json releases = releases_of(emu, "relok");
    const std::int64_t attach = attach_version(releases);
    const json* r = release_numbered(releases, attach);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ((*r)["status"], "succeeded");
    const std::string history = history_of(dir / "state", id);
    EXPECT_NE(history.find("release v" + std::to_string(attach) + " (Attach DATABASE (@ref:" +
                           upgrades[0].target_addon_name + ")) succeeded"),
              std::string::npos)
        << history;
    EXPECT_FALSE(emu.heroku("GET", "/apps/relok")["maintenance"].get<bool>());
}

TEST(release_phase, a_failed_release_phase_needs_attention_in_herokus_words_and_stays_visible) {
    auto dir = work_dir("release-fail");
    emulator emu(dir);
    emu.fast_timings();
    emu.control("POST", "/_emulator/apps",
                {{"name", "relfail"},
                 {"plan", "heroku-postgresql:essential-0"},
                 {"formation", "web=1 worker=1"},
                 {"sql", sample_sql(50)},
                 {"pooler", true},
                 {"release_phase", "fail"}});
    auto id = enqueue_upgrade(dir / "state", "relfail", "heroku-postgresql:standard-0");

    daemon_process d(emu, dir / "state");
    json seen = wait_for(d, id, [](const json& u) { return u.value("needs_attention", false); });
    ASSERT_TRUE(seen.value("needs_attention", false)) << seen.dump();
    ASSERT_TRUE(d.stop(SIGTERM, 20s).has_value());

    auto upgrades = stored_upgrades(dir / "state");
    ASSERT_EQ(upgrades.size(), 1U);
    const upgrade& u = upgrades[0];
    // Forward only after promoting: never rolled back, never finished, asking for a person.
    EXPECT_EQ(u.current, state::promoting);
    EXPECT_TRUE(u.needs_attention);
    const json releases = releases_of(emu, "relfail");
    const std::int64_t attach = attach_version(releases);
    const json* r = release_numbered(releases, attach);
    ASSERT_NE(r, nullptr);
    ASSERT_EQ((*r)["status"], "failed");
    // Heroku's words: the version, its description, its status and where its output is.
    EXPECT_NE(u.last_error.find("release v" + std::to_string(attach) + " (" +
                                (*r)["description"].get<std::string>() + ") failed"),
              std::string::npos)
        << u.last_error;
    if ((*r).contains("output_stream_url") && (*r)["output_stream_url"].is_string()) {
        EXPECT_NE(u.last_error.find((*r)["output_stream_url"].get<std::string>()),
                  std::string::npos)
            << u.last_error;
    }
    EXPECT_NE(u.last_error.find("stays in maintenance"), std::string::npos) << u.last_error;
    EXPECT_EQ(seen.value("last_error", ""), u.last_error);
    // Not silently: the app is still in maintenance, the promotion was made once.
    EXPECT_TRUE(emu.heroku("GET", "/apps/relfail")["maintenance"].get<bool>());
    EXPECT_EQ(emu.ledger_counts("relfail")["promotion"], 1);
    EXPECT_NE(d.err().find("needs_attention"), std::string::npos) << d.err();

    // The operator's way out: fix the release command, release again, retry the upgrade.
    emu.control("PUT", "/_emulator/apps/relfail/release-phase", {{"mode", "succeed"}});
    ASSERT_NO_FATAL_FAILURE(set_config_var(emu, "relfail", "RELEASE_FIXED", "1"));
    daemon_process again(emu, dir / "state");
    auto retried = again.api().request("POST", "/v1/upgrades/" + id + "/retry");
    ASSERT_EQ(retried.status, 200) << retried.body;
    json done = wait_for(again, id, [](const json& u) { return u["state"] == "succeeded"; });
    EXPECT_EQ(done["state"], "succeeded") << done.dump();
    EXPECT_FALSE(emu.heroku("GET", "/apps/relfail")["maintenance"].get<bool>());
    EXPECT_EQ(emu.ledger_counts("relfail")["promotion"], 1);
}

} // namespace
} // namespace pgshift::testing
