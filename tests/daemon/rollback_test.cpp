// Failures and a cancel before promoting roll back: the app is left exactly as it was.
#include "daemon/engine.hpp"
#include "persistence/schema.hpp"
#include "tests/daemon/harness.hpp"
#include "tests/support/pg_query.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

// The add-on's state, or "gone" when Heroku answers 404 for it.
std::string addon_state(emulator& emu, const std::string& app, const std::string& addon) {
    try {
        return emu.heroku("GET", "/apps/" + app + "/addons/" + addon)["state"];
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("HTTP 404") != std::string::npos) {
            return "gone";
        }
        throw;
    }
}

std::string database_addon(emulator& emu, const std::string& app) {
    for (const json& a : emu.heroku("GET", "/apps/" + app + "/addon-attachments")) {
        if (a["name"] == "DATABASE") {
            return a["addon"]["name"];
        }
    }
    return {};
}

// One line per history entry: "type: detail".
std::string history_of(persistence::upgrade_store& store, const std::string& id) {
    std::string out;
    for (const event_record& e : store.events(id)) {
        out += std::string(to_string(e.type)) + ": " + e.detail + "\n";
    }
    return out;
}

time_point wall_clock() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

// Runs io until done() holds or limit passes; true when done() held.
bool run_until(boost::asio::io_context& io, std::chrono::milliseconds limit,
               const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        if (io.stopped()) {
            io.restart();
        }
        io.run_for(20ms);
    }
    return true;
}

// What the app looked like before the upgrade.
struct app_before {
    std::string name;
    std::string addon;
    std::string database_url;
    std::string digest;
    std::map<std::string, int> formation;
};

class rollback : public ::testing::Test {
protected:
    void SetUp() override {
        std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = work_dir("rollback-" + test);
        emu_ = std::make_unique<emulator>(dir_);
        emu_->fast_timings();
    }

    app_before seed(const std::string& app) {
        json seeded = emu_->seed_app(app, "web=2 worker=3 release=0", sample_sql(600));
        std::string url = emu_->config_var(app, "DATABASE_URL");
        return {app, seeded["addon"]["name"], url, content_digest(url), formation_of(*emu_, app)};
    }

    // Runs pgshiftd on one upgrade of `app` to its end; the stored upgrade and its history.
    std::pair<upgrade, std::string> upgrade_with_pgshiftd(const std::string& app) {
        enqueue_upgrade(dir_ / "state", app, "heroku-postgresql:standard-0");
        daemon_run run = run_daemon(*emu_, dir_ / "state", {}, {}, 30s);
        EXPECT_TRUE(run.status.exited && run.status.code == 0) << run.err;
        sqlite::database db(dir_ / "state" / "pgshift.db");
        persistence::upgrade_store store(db);
        auto all = store.list({});
        if (all.items.size() != 1) {
            ADD_FAILURE() << all.items.size() << " upgrades stored\n" << run.err;
            return {};
        }
        return {all.items[0], history_of(store, all.items[0].id)};
    }

    // rolled_back, and the app exactly as before: DATABASE, data, maintenance, formation.
    void expect_app_as_before(const app_before& app, const upgrade& u) {
        EXPECT_EQ(u.current, state::rolled_back) << u.last_error;
        EXPECT_FALSE(u.needs_attention);
        EXPECT_EQ(database_addon(*emu_, app.name), app.addon);
        EXPECT_EQ(emu_->config_var(app.name, "DATABASE_URL"), app.database_url);
        EXPECT_EQ(content_digest(app.database_url), app.digest);
        EXPECT_FALSE(emu_->heroku("GET", "/apps/" + app.name)["maintenance"].get<bool>());
        EXPECT_EQ(formation_of(*emu_, app.name), app.formation);
        ASSERT_FALSE(u.target_addon_name.empty());
        EXPECT_NE(addon_state(*emu_, app.name, u.target_addon_name), "provisioned");
        // The undoing is in the history like the doing: every write requested, then its
        // outcome under the same effect id, the cancel mid-step included.
        EXPECT_EQ(effect_history_problems(stored_events(dir_ / "state", u.id)), "");
    }

    emulator& emu() { return *emu_; }

    std::filesystem::path dir_;
    std::unique_ptr<emulator> emu_;
};

TEST_F(rollback, a_failed_backup_rolls_back_with_herokus_log_lines_as_the_reason) {
    auto before = seed("rb-backup");
    emu().fault({{"method", "POST"},
                 {"route", "/client/v11/databases/*/backups"},
                 {"kind", "transfer_fail"}});

    auto [u, history] = upgrade_with_pgshiftd(before.name);

    expect_app_as_before(before, u);
    EXPECT_NE(u.last_error.find("backup failed"), std::string::npos) << u.last_error;
    EXPECT_NE(u.last_error.find("injected fault"), std::string::npos) << u.last_error;
    EXPECT_NE(history.find("capturing failed: backup failed"), std::string::npos) << history;
    auto ledger = emu().ledger_counts(before.name);
    EXPECT_EQ(ledger["addon_created"], 1);
    EXPECT_EQ(ledger["backup"], 1); // a failed transfer is final: not captured again
    EXPECT_EQ(ledger["restore"], 0);
    EXPECT_EQ(ledger["promotion"], 0);
    EXPECT_EQ(ledger["maintenance"], 2);
    EXPECT_EQ(ledger["formation"], 2);
    EXPECT_EQ(ledger["addon_destroyed"], 1);
}

TEST_F(rollback, a_failed_restore_rolls_back_and_destroys_the_half_filled_target) {
    auto before = seed("rb-restore");
    emu().fault({{"method", "POST"},
                 {"route", "/client/v11/databases/*/restores"},
                 {"kind", "transfer_fail"}});

    auto [u, history] = upgrade_with_pgshiftd(before.name);

    expect_app_as_before(before, u);
    EXPECT_NE(u.last_error.find("restore failed"), std::string::npos) << u.last_error;
    EXPECT_NE(u.last_error.find("injected fault"), std::string::npos) << u.last_error;
    EXPECT_NE(history.find("restoring failed: restore failed"), std::string::npos) << history;
    auto ledger = emu().ledger_counts(before.name);
    EXPECT_EQ(ledger["addon_created"], 1);
    EXPECT_EQ(ledger["backup"], 1);
    EXPECT_EQ(ledger["restore"], 1);
    EXPECT_EQ(ledger["promotion"], 0);
    EXPECT_EQ(ledger["maintenance"], 2);
    EXPECT_EQ(ledger["formation"], 2);
    EXPECT_EQ(ledger["addon_destroyed"], 1);
}

TEST_F(rollback, a_provisioning_failure_rolls_back_before_any_downtime) {
    auto before = seed("rb-provision");
    emu().fault({{"method", "POST"}, {"route", "/apps/*/addons"}, {"kind", "provision_fail"}});

    auto [u, history] = upgrade_with_pgshiftd(before.name);

    expect_app_as_before(before, u);
    EXPECT_NE(u.last_error.find("unable to be created"), std::string::npos) << u.last_error;
    EXPECT_NE(history.find("provisioning failed: add-on " + u.target_addon_name), std::string::npos)
        << history;
    auto ledger = emu().ledger_counts(before.name);
    EXPECT_EQ(ledger["addon_created"], 1); // once: a failed provisioning is not tried again
    EXPECT_EQ(ledger["backup"], 0);
    EXPECT_EQ(ledger["maintenance"], 0); // the app never went down
    EXPECT_EQ(ledger["formation"], 0);
    EXPECT_EQ(ledger["promotion"], 0);
}

TEST_F(rollback, a_cancel_mid_restore_stops_the_restore_and_restores_the_app) {
    auto before = seed("rb-cancel");
    emu().fault({{"method", "POST"},
                 {"route", "/client/v11/databases/*/restores"},
                 {"kind", "transfer_stall"}});
    boost::asio::io_context io;
    std::filesystem::create_directories(dir_ / "state");
    sqlite::database db(dir_ / "state" / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);
    heroku::client_options client_opts;
    client_opts.platform_base = emu().url();
    client_opts.data_base = emu().url();
    heroku::client client(io.get_executor(), heroku::secret_token(emulator_token), client_opts);
    daemon::engine_options opts;
    opts.poll_interval = opts.poll_min = 100ms;
    opts.progress_every = 200ms;
    opts.retry.first_backoff = 100ms;
    std::string log;
    daemon::engine engine(io, store, client, opts, wall_clock,
                          [&log](std::string_view line) { (log += line) += '\n'; });
    bool idle = false;
    engine.on_idle([&idle] { idle = true; });

    upgrade_request request;
    request.app = before.name;
    request.plan = "heroku-postgresql:standard-0";
    auto started = engine.start(request);
    ASSERT_TRUE(started) << started.err().message;
    const std::string id = started->id;
    ASSERT_TRUE(run_until(io, 30s, [&] {
        auto u = store.get(id);
        return u && u->current == state::restoring && !u->restore_uuid.empty();
    })) << log;
    auto cancelled = engine.command(id, command::cancel);
    ASSERT_TRUE(cancelled) << cancelled.err().message;
    ASSERT_TRUE(run_until(io, 30s, [&] { return idle; })) << log;

    upgrade u = store.get(id).value();
    expect_app_as_before(before, u);
    EXPECT_EQ(u.last_error, "cancelled by the operator");
    EXPECT_NE(history_of(store, id).find("cancelled in restoring"), std::string::npos);
    json restore =
        emu().heroku("GET", "/client/v11/apps/" + before.name + "/transfers/" + u.restore_uuid);
    EXPECT_FALSE(restore["canceled_at"].is_null()) << restore.dump();
    EXPECT_FALSE(restore["finished_at"].is_null()) << restore.dump();
    auto ledger = emu().ledger_counts(before.name);
    EXPECT_EQ(ledger["restore"], 1);
    EXPECT_EQ(ledger["transfer_canceled"], 1);
    EXPECT_EQ(ledger["addon_destroyed"], 1);
    EXPECT_EQ(ledger["promotion"], 0);
    EXPECT_EQ(ledger["maintenance"], 2);
    EXPECT_EQ(ledger["formation"], 2);
}

} // namespace
} // namespace pgshift::testing
