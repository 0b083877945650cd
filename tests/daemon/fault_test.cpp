// Injected Heroku faults (500/503/429/reset on 10 % of requests): upgrades still succeed once.
#include "tests/daemon/harness.hpp"
#include "tests/support/pg_query.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace pgshift::testing {
namespace {

// What an app looks like from outside, recorded before the upgrade.
struct app_before {
    std::string name;
    std::string database_url;
    std::string digest;
    std::map<std::string, int> formation;
    int attachments_made = 0; // the ledger's attachment_created entries of the seed
};

// Four rules on every Heroku request, 2.5 % each: 10 % of requests fail one way or another.
std::vector<std::string> inject_ten_percent_failures(emulator& emu) {
    std::vector<std::string> ids;
    for (const json& rule :
         {json{{"kind", "status"}, {"status", 500}}, json{{"kind", "status"}, {"status", 503}},
          json{{"kind", "status"}, {"status", 429}}, json{{"kind", "reset"}}}) {
        json r = rule;
        r["route"] = "/**";
        r["method"] = "*";
        r["probability"] = 0.025;
        ids.push_back(emu.fault(r)["id"]);
    }
    return ids;
}

// Every app's state before its upgrade, each upgrade queued.
std::vector<app_before> seed_and_enqueue(emulator& emu, const std::filesystem::path& state_dir,
                                         const std::vector<std::string>& names) {
    std::vector<app_before> apps;
    for (const std::string& name : names) {
        emu.seed_app(name, "web=1 worker=2 release=0", sample_sql(400));
        std::string url = emu.config_var(name, "DATABASE_URL");
        apps.push_back({name, url, content_digest(url), formation_of(emu, name),
                        emu.ledger_counts(name)["attachment_created"]});
        enqueue_upgrade(state_dir, name, "heroku-postgresql:standard-0");
    }
    return apps;
}

void expect_upgraded_once(emulator& emu, const app_before& app, const upgrade& u) {
    SCOPED_TRACE(app.name);
    EXPECT_EQ(u.current, state::succeeded) << u.last_error;
    std::string new_url = emu.config_var(app.name, "DATABASE_URL");
    EXPECT_NE(new_url, app.database_url);
    EXPECT_EQ(content_digest(new_url), app.digest);
    EXPECT_EQ(formation_of(emu, app.name), app.formation);
    EXPECT_FALSE(emu.heroku("GET", "/apps/" + app.name)["maintenance"].get<bool>());
    auto ledger = emu.ledger_counts(app.name);
    EXPECT_EQ(ledger["addon_created"], 1);
    EXPECT_EQ(ledger["backup"], 1);
    EXPECT_EQ(ledger["restore"], 1);
    EXPECT_EQ(ledger["promotion"], 1);
    EXPECT_EQ(ledger["maintenance"], 2);
    EXPECT_EQ(ledger["formation"], 2);
    EXPECT_EQ(ledger["addon_destroyed"], 0);
    // Two: the new add-on's colour attachment, made with it, and the pooler moved onto it.
    EXPECT_EQ(ledger["attachment_created"], app.attachments_made + 2)
        << emu.control("GET", "/_emulator/ledger").dump();
}

const upgrade* upgrade_of(const std::vector<upgrade>& all, const std::string& app) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const upgrade& u) { return u.request.app == app; });
    return it == all.end() ? nullptr : &*it;
}

TEST(faults, ten_percent_of_requests_failing_still_upgrades_every_app_exactly_once) {
    auto dir = work_dir("faults");
    emulator emu(dir);
    emu.fast_timings();
    // Slower provisioning makes every upgrade poll more: about 400 requests in all, so each
    // 2.5 % rule fires with near certainty (0.975^400 < 0.0001) and the test stays meaningful.
    emu.control("PUT", "/_emulator/timings", {{"provisioning_ms", 1500}});
    auto apps = seed_and_enqueue(emu, dir / "state",
                                 {"fault-a", "fault-b", "fault-c", "fault-d", "fault-e"});
    auto rule_ids = inject_ten_percent_failures(emu);

    daemon_run run = run_daemon(emu, dir / "state", {}, {}, std::chrono::seconds(50));

    // Read the counters, then stop the faults so the checks below see Heroku as it is.
    json rules = emu.control("GET", "/_emulator/faults");
    emu.control("DELETE", "/_emulator/faults");
    ASSERT_TRUE(run.status.exited) << run.err;
    ASSERT_EQ(run.status.code, 0) << run.err;
    ASSERT_EQ(rules.size(), rule_ids.size());
    for (const json& r : rules) {
        EXPECT_GT(r["fired"].get<int>(), 0) << r.dump(); // a rule that never fired proves nothing
    }

    auto upgrades = stored_upgrades(dir / "state");
    ASSERT_EQ(upgrades.size(), apps.size());
    for (const app_before& app : apps) {
        const upgrade* u = upgrade_of(upgrades, app.name);
        ASSERT_NE(u, nullptr) << app.name;
        expect_upgraded_once(emu, app, *u);
    }
    EXPECT_EQ(run.err.find(emulator_token), std::string::npos);
}

// A 2xx whose body does not parse (truncated, null, [], the wrong object) on 30 % of every
// request, GETs, polls, pages and POSTs alike: not Heroku saying no, so nothing is rolled
// back and nothing is done twice (a POST is looked up, never re-sent; a PATCH is read back).
TEST(faults, thirty_percent_unparsable_answers_still_upgrade_every_app_exactly_once) {
    auto dir = work_dir("faults-garbage");
    emulator emu(dir);
    emu.fast_timings();
    auto apps = seed_and_enqueue(emu, dir / "state",
                                 {"junk-a", "junk-b", "junk-c", "junk-d", "junk-e", "junk-f"});
    emu.fault({{"route", "/**"}, {"method", "*"}, {"kind", "garbage"}, {"probability", 0.3}});

    daemon_run run = run_daemon(emu, dir / "state", {}, {}, std::chrono::seconds(150));

    json rules = emu.control("GET", "/_emulator/faults");
    emu.control("DELETE", "/_emulator/faults");
    ASSERT_TRUE(run.status.exited) << run.err;
    ASSERT_EQ(run.status.code, 0) << run.err;
    ASSERT_EQ(rules.size(), 1U);
    EXPECT_GT(rules[0]["fired"].get<int>(), 50) << rules.dump();
    // Logged as trouble with both request ids, for whoever asks Heroku about it.
    EXPECT_NE(run.err.find("unreadable"), std::string::npos);
    EXPECT_NE(run.err.find("heroku_request_id="), std::string::npos);

    auto upgrades = stored_upgrades(dir / "state");
    ASSERT_EQ(upgrades.size(), apps.size());
    for (const app_before& app : apps) {
        const upgrade* u = upgrade_of(upgrades, app.name);
        ASSERT_NE(u, nullptr) << app.name;
        expect_upgraded_once(emu, app, *u);
    }
}

} // namespace
} // namespace pgshift::testing
