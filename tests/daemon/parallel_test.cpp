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

// The most maintenance windows open at once in the emulator's ledger, over every app.
int most_down_at_once(emulator& emu) {
    std::vector<std::pair<std::int64_t, int>> edges; // at_ms, +1 on / -1 off
    for (const json& e : emu.control("GET", "/_emulator/ledger")) {
        if (e.value("kind", "") == "maintenance") {
            edges.emplace_back(e.value("at_ms", std::int64_t{0}),
                               e.value("detail", "") == "on" ? 1 : -1);
        }
    }
    std::sort(edges.begin(), edges.end()); // at the same ms, an off (-1) counts first
    int down = 0;
    int most = 0;
    for (const auto& [at, step] : edges) {
        down += step;
        most = std::max(most, down);
    }
    return most;
}

TEST(parallel, no_more_than_max_downtime_concurrency_apps_are_in_maintenance_at_once) {
    auto dir = work_dir("concurrency");
    emulator emu(dir);
    emu.fast_timings();
    for (int i = 0; i < 5; ++i) {
        emu.seed_app("down-" + std::to_string(i), "web=1 worker=1 release=0", sample_sql(20));
        enqueue_upgrade(dir / "state", "down-" + std::to_string(i), "heroku-postgresql:standard-0");
    }
    auto run = run_daemon(emu, dir / "state", {"--max-downtime-concurrency", "2"}, {}, 90s);
    ASSERT_TRUE(run.status.exited && run.status.code == 0) << run.err;
    for (const upgrade& u : stored_upgrades(dir / "state")) {
        EXPECT_EQ(u.current, state::succeeded) << u.request.app << ": " << u.last_error;
        ASSERT_TRUE(u.downtime.began && u.downtime.ended) << u.request.app;
        EXPECT_LT(*u.downtime.began, *u.downtime.ended);
    }
    EXPECT_EQ(most_down_at_once(emu), 2) << "two at once, never three";
    // The others said why they waited, and where they stood.
    EXPECT_NE(run.err.find("waits for concurrency (place 1 in line): 2 apps of 2 in maintenance"),
              std::string::npos)
        << lines_with(run.err, "waits for");
}

TEST(parallel, a_request_may_ask_to_be_the_only_app_down) {
    auto dir = work_dir("alone");
    emulator emu(dir);
    emu.fast_timings();
    for (int i = 0; i < 3; ++i) {
        emu.seed_app("alone-" + std::to_string(i), "web=1 worker=1 release=0", sample_sql(20));
    }
    upgrade_request r;
    r.plan = "heroku-postgresql:standard-0";
    for (int i = 0; i < 3; ++i) {
        r.app = "alone-" + std::to_string(i);
        r.max_downtime_concurrency = 1;
        enqueue_upgrade(dir / "state", r);
    }
    auto run = run_daemon(emu, dir / "state", {}, {}, 90s);
    ASSERT_TRUE(run.status.exited && run.status.code == 0) << run.err;
    EXPECT_EQ(most_down_at_once(emu), 1);
    EXPECT_NE(run.err.find("this upgrade's own limit is 1"), std::string::npos)
        << lines_with(run.err, "waits for");
}

} // namespace
} // namespace pgshift::testing
