// A transfer that stops making progress asks for attention, and the upgrade keeps waiting.
#include "tests/daemon/harness.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

namespace pgshift::testing {
namespace {

TEST(stall, a_restore_without_progress_needs_attention_and_is_not_rolled_back) {
    auto dir = work_dir("stall");
    emulator emu(dir);
    emu.fast_timings();
    emu.seed_app("stalled", "web=1 worker=1", sample_sql(200));
    json rule = emu.fault({{"method", "POST"},
                           {"route", "/client/v11/databases/*/restores"},
                           {"kind", "transfer_stall"}});

    // The daemon never finishes this one: it is stopped after a few seconds.
    enqueue_upgrade(dir / "state", "stalled", "heroku-postgresql:standard-0");
    daemon_run run =
        run_daemon(emu, dir / "state", {"--stall-ms", "1500"}, {}, std::chrono::seconds(8));
    EXPECT_FALSE(run.status.exited) << "pgshiftd must keep waiting on a stalled restore";

    auto upgrades = stored_upgrades(dir / "state");
    ASSERT_EQ(upgrades.size(), 1U);
    const upgrade& u = upgrades[0];
    EXPECT_EQ(u.current, state::restoring);
    EXPECT_TRUE(u.needs_attention);
    EXPECT_NE(u.last_error.find("no progress"), std::string::npos) << u.last_error;
    EXPECT_FALSE(u.restore_uuid.empty());
    EXPECT_NE(run.err.find("needs_attention"), std::string::npos) << "logged for operators";
    json faults = emu.control("GET", "/_emulator/faults");
    ASSERT_EQ(faults.size(), 1U);
    EXPECT_GE(faults[0]["fired"].get<int>(), 1);
    // The app stays in maintenance, on purpose and visibly: nothing is promoted half-way.
    EXPECT_TRUE(emu.heroku("GET", "/apps/stalled")["maintenance"].get<bool>());
    EXPECT_EQ(emu.ledger_counts("stalled")["promotion"], 0);
}

} // namespace
} // namespace pgshift::testing
