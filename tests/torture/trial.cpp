// One torture trial: seed an app, upgrade it with pgshiftd killed at planned instants, check.
#include "tests/torture/trial.hpp"

#include "persistence/schema.hpp"
#include "persistence/upgrade_store.hpp"
#include "tests/support/pg_query.hpp"

#include <signal.h>

namespace pgshift::torture {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;
using namespace std::chrono_literals;

// One pgshiftd run may take this long before it counts as hung (a trial takes seconds).
constexpr auto run_limit = 120s;

std::vector<json> ledger_after(testing::emulator& emu, const std::string& app, std::int64_t seq) {
    std::vector<json> out;
    for (const json& e : emu.control("GET", "/_emulator/ledger")) {
        if (e.value("app", "") == app && e.value("seq", std::int64_t{0}) > seq) {
            out.push_back(e);
        }
    }
    return out;
}

std::int64_t last_ledger_seq(testing::emulator& emu) {
    json all = emu.control("GET", "/_emulator/ledger");
    return all.empty() ? 0 : all.back().value("seq", std::int64_t{0});
}

bool maintenance_of(testing::emulator& emu, const std::string& app) {
    return emu.heroku("GET", "/apps/" + app)["maintenance"].get<bool>();
}

// Runs pgshiftd until the upgrade is over, SIGKILLing it at each planned instant that comes
// before its own exit and restarting it on the same state directory.
void run_with_kills(testing::emulator& emu, const trial_plan& p, const std::filesystem::path& dir,
                    trial_result& r) {
    const auto state_dir = dir / "state";
    for (std::size_t run = 0;; ++run) {
        const auto log = dir / ("pgshiftd." + std::to_string(run));
        const kill_spec* planned = run < p.kills.size() ? &p.kills[run] : nullptr;
        const bool at_point = planned != nullptr && !planned->crash_at.empty();
        std::vector<std::string> env{std::string("HEROKU_API_KEY=") + testing::emulator_token};
        if (at_point) {
            env.push_back("PGSHIFT_CRASH_AT=" + planned->crash_at);
        }
        testing::child_process daemon(testing::daemon_argv(emu, state_dir, {"--exit-when-idle"}),
                                      env, log.string() + ".out", log.string() + ".err");
        const bool timed = planned != nullptr && !at_point;
        auto status =
            daemon.wait_for(timed ? planned->after : std::chrono::milliseconds(run_limit));
        if (!status) {
            daemon.signal(SIGKILL);
            status = daemon.wait_for(10s);
            if (!timed) {
                r.problems.push_back("pgshiftd run " + std::to_string(run) +
                                     " still running after " + std::to_string(run_limit.count()) +
                                     " s: killed");
                return;
            }
            if (!status) {
                r.problems.push_back("pgshiftd survived SIGKILL for 10 s");
                return;
            }
            ++r.kills;
            continue;
        }
        if (at_point && !status->exited && status->signal == SIGKILL) {
            ++r.kills; // the crash point was reached: pgshiftd killed itself there
            ++r.crash_point_kills;
            continue;
        }
        if (!status->exited || status->code != 0) {
            r.problems.push_back("pgshiftd run " + std::to_string(run) + " ended with " +
                                 (status->exited ? "exit code " + std::to_string(status->code)
                                                 : "signal " + std::to_string(status->signal)) +
                                 " (log " + log.string() + ".err)");
        }
        return; // over: a kill planned after the end is not delivered
    }
}

// What the state directory holds once pgshiftd is gone: the upgrade and its history.
void check_store(const trial_plan& p, const std::filesystem::path& state_dir, trial_result& r) {
    sqlite::database db(state_dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);
    auto all = store.list({.limit = 10}).items;
    if (all.size() != 1) {
        r.problems.push_back(std::to_string(all.size()) + " upgrades stored, expected 1");
        return;
    }
    const upgrade& u = all[0];
    r.final_state = std::string(to_string(u.current));
    check_outcome(p, u, r.problems);
    check_history(u, store.events(u.id, 0, 100000), r.problems);
}

} // namespace

trial_result run_trial(testing::emulator& emu, const trial_plan& p,
                       const std::filesystem::path& dir) {
    trial_result r;
    std::filesystem::create_directories(dir);
    // Nothing of the previous trial: apps, databases, transfers, faults, ledger.
    emu.control("POST", "/_emulator/reset");
    emu.fast_timings();
    emu.seed_app(p.app, p.formation, p.sql);

    app_snapshot before;
    before.database_url = emu.config_var(p.app, "DATABASE_URL");
    before.content = testing::content_manifest(before.database_url);
    before.formation = testing::formation_of(emu, p.app);
    before.maintenance = maintenance_of(emu, p.app);
    before.attachments_made = 0;
    const std::int64_t ledger_seq = last_ledger_seq(emu);

    for (const fault_spec& f : p.faults) {
        emu.fault(f.rule);
    }
    testing::enqueue_upgrade(dir / "state", p.app, p.plan, p.version);
    const auto began = steady_clock::now();
    run_with_kills(emu, p, dir, r);
    r.seconds = std::chrono::duration<double>(steady_clock::now() - began).count();

    // Read the counters, then stop the faults: the checks must see Heroku as it is.
    json rules = emu.control("GET", "/_emulator/faults");
    emu.control("DELETE", "/_emulator/faults");
    for (const json& rule : rules) {
        r.faults_fired += rule.value("fired", 0);
    }
    check_faults_fired(rules, r.problems);
    check_no_process_left(dir / "state", r.problems);
    check_store(p, dir / "state", r);
    check_ledger(p, ledger_after(emu, p.app, ledger_seq), before, r.problems);

    const std::string url_now = emu.config_var(p.app, "DATABASE_URL");
    const bool success = p.fail == failed_transfer::none;
    if (success == (url_now == before.database_url)) {
        r.problems.push_back(success ? "DATABASE_URL still points at the source"
                                     : "DATABASE_URL changed although the upgrade rolled back");
    }
    check_content(before, testing::content_manifest(url_now), r.problems);
    if (maintenance_of(emu, p.app) != before.maintenance) {
        r.problems.push_back("maintenance left " + std::string(before.maintenance ? "off" : "on"));
    }
    if (auto f = testing::formation_of(emu, p.app); f != before.formation) {
        std::string now;
        for (const auto& [type, n] : f) {
            now += " " + type + "=" + std::to_string(n);
        }
        r.problems.push_back("formation at the end:" + now + ", expected " + p.formation);
    }
    return r;
}

} // namespace pgshift::torture
