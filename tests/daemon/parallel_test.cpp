// Twenty upgrades at once in one pgshiftd, under a rate budget they would overrun unthrottled.
#include "tests/daemon/harness.hpp"
#include "tests/support/pg_query.hpp"

#include <gtest/gtest.h>
#include <iostream>
#include <unistd.h>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

constexpr int app_count = 20;

// Lines of pgshiftd's log that record one attempt of a Heroku request answered `status`
// (any status when empty): "heroku: GET /apps/x -> 200 request_id=…".
int requests_in(const std::string& log, const std::string& status = "") {
    int n = 0;
    std::size_t at = 0;
    const std::string needle = " -> " + status;
    while ((at = log.find("heroku: ", at)) != std::string::npos) {
        auto eol = log.find('\n', at);
        if (log.substr(at, eol - at).find(needle) != std::string::npos) {
            ++n;
        }
        at = eol;
    }
    return n;
}

// The log's lines that contain `text`, for a failure message that stays readable.
std::string lines_with(const std::string& log, const std::string& text) {
    std::string out;
    for (std::size_t at = 0, eol = 0; at < log.size(); at = eol + 1) {
        eol = std::min(log.find('\n', at), log.size());
        if (log.substr(at, eol - at).find(text) != std::string::npos) {
            out += log.substr(at, eol - at + 1);
        }
    }
    return out;
}

struct timed_run {
    daemon_run run;
    double seconds = 0;
};

timed_run timed(const emulator& emu, const std::filesystem::path& state_dir,
                std::vector<std::string> args) {
    auto started = std::chrono::steady_clock::now();
    timed_run t{run_daemon(emu, state_dir, std::move(args), {}, 40s), 0};
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return t;
}

std::string app_name(int i) {
    return "par-" + std::to_string(i);
}

TEST(parallel, twenty_upgrades_share_a_tight_rate_budget_without_a_single_429) {
    auto dir = work_dir("parallel");
    emulator emu(dir);
    emu.fast_timings();
    std::map<std::string, std::string> digests;
    for (int i = 0; i < app_count; ++i) {
        emu.seed_app(app_name(i), "web=1 worker=1 release=0", sample_sql(100));
        digests[app_name(i)] = content_digest(emu.config_var(app_name(i), "DATABASE_URL"));
        enqueue_upgrade(dir / "state", app_name(i), "heroku-postgresql:standard-0");
    }

    // Calibration: what one upgrade asks of Heroku when nothing holds it back.
    emu.seed_app("par-probe", "web=1 worker=1 release=0", sample_sql(100));
    enqueue_upgrade(dir / "probe", "par-probe", "heroku-postgresql:standard-0");
    timed_run probe = timed(emu, dir / "probe", {});
    ASSERT_TRUE(probe.run.status.exited && probe.run.status.code == 0) << probe.run.err;
    const int per_upgrade = requests_in(probe.run.err);
    ASSERT_GT(per_upgrade, 20) << probe.run.err;

    // A bucket of a quarter of what twenty unthrottled upgrades ask, refilled so that all of it
    // comes back in 40 s: unthrottled they would ask for it all in a few seconds (twice a lone
    // upgrade's time at most) and run the bucket dry; paced, they finish well within the limit.
    const double demand = app_count * per_upgrade;
    const auto capacity = static_cast<long>(demand / 4);
    const auto refill_per_minute = static_cast<long>(demand * 1.5);
    ASSERT_GT(demand, capacity + refill_per_minute * 2 * probe.seconds / 60) << probe.seconds;
    emu.control("PUT", "/_emulator/rate-limit",
                {{"capacity", capacity}, {"refill_per_minute", refill_per_minute}});

    // pgshiftd is told the budget, as an operator configures their account's.
    timed_run all = timed(emu, dir / "state",
                          {"--rate-capacity", std::to_string(capacity), "--rate-refill-per-minute",
                           std::to_string(refill_per_minute)});
    std::cerr << "one upgrade: " << per_upgrade << " requests in " << probe.seconds
              << " s; twenty: " << requests_in(all.run.err) << " requests ("
              << requests_in(all.run.err, "429") << " answered 429) in " << all.seconds
              << " s under capacity " << capacity << ", refill " << refill_per_minute << "/min\n";
    EXPECT_EQ(requests_in(all.run.err, "429"), 0) << lines_with(all.run.err, "-> 429");
    ASSERT_TRUE(all.run.status.exited) << "still running after 40 s; transitions:\n"
                                       << lines_with(all.run.err, "<6>upgrade ");
    ASSERT_EQ(all.run.status.code, 0) << all.run.err;
    // The bucket alone was not enough: the run lived on the refill, so it was paced.
    EXPECT_GT(requests_in(all.run.err), capacity);
    // Heroku's own budget again, so the checks below are not throttled themselves.
    emu.control("PUT", "/_emulator/rate-limit", {{"capacity", 4500}, {"refill_per_minute", 75}});

    auto upgrades = stored_upgrades(dir / "state");
    ASSERT_EQ(upgrades.size(), static_cast<std::size_t>(app_count));
    for (const upgrade& u : upgrades) {
        SCOPED_TRACE(u.request.app);
        EXPECT_EQ(u.current, state::succeeded) << u.last_error;
        auto ledger = emu.ledger_counts(u.request.app);
        EXPECT_EQ(ledger["addon_created"], 1);
        EXPECT_EQ(ledger["backup"], 1);
        EXPECT_EQ(ledger["restore"], 1);
        EXPECT_EQ(ledger["promotion"], 1);
        EXPECT_EQ(content_digest(emu.config_var(u.request.app, "DATABASE_URL")),
                  digests[u.request.app]);
    }
}

} // namespace
} // namespace pgshift::testing
