// What one torture trial does, drawn from (seed, trial index) alone, so any trial can be rerun.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::torture {

// The transfer a trial makes fail (the emulator's transfer_fail fault): a rollback is expected.
enum class failed_transfer { none, capture, restore };

const char* to_string(failed_transfer f) noexcept;

// One /_emulator/faults rule, as posted (route, method, kind, first_n, status, latency_ms).
struct fault_spec {
    nlohmann::json rule;
    std::string label; // "503 PATCH /apps/{app}/formation", for the report
};

// One SIGKILL of pgshiftd: `after` its (re)start, or, when crash_at names a crash point
// (PGSHIFT_CRASH_AT, builds with PGSHIFT_CRASH_POINTS), right there: between a Heroku call
// and the commit of its answer, the instants a timer almost never hits.
struct kill_spec {
    std::chrono::milliseconds after{0};
    std::string crash_at;
};

struct trial_plan {
    std::uint64_t seed = 0;
    int index = 0;
    std::string app;       // unique per trial
    std::string formation; // "web=1 worker=2 clock=1 release=0"
    std::string sql;       // the source database's schema and rows
    std::string plan;      // the target plan
    std::optional<std::string> version;
    std::vector<fault_spec> faults; // Heroku faults, each sure to fire (first_n on sure routes)
    failed_transfer fail = failed_transfer::none;
    std::vector<kill_spec> kills; // one per (re)start, in order
};

// Deterministic in (seed, index, fault_rate, crash_points): every fault kind joins the trial's
// mix with probability fault_rate; a failed transfer with probability fault_rate / 3; with
// crash_points, half the kills are at a crash point instead of a timer.
trial_plan make_plan(std::uint64_t seed, int index, double fault_rate, bool crash_points);

// "seed=S trial=I: web=1 worker=2, 3 kills, faults [...], restore fails"
std::string describe(const trial_plan& p);

} // namespace pgshift::torture
