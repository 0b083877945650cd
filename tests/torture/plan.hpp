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
    std::vector<std::chrono::milliseconds> kills; // after each (re)start, SIGKILL after this
};

// Deterministic in (seed, index, fault_rate): every fault kind joins the trial's mix with
// probability fault_rate; a failed transfer with probability fault_rate / 3.
trial_plan make_plan(std::uint64_t seed, int index, double fault_rate);

// "seed=S trial=I: web=1 worker=2, 3 kills, faults [...], restore fails"
std::string describe(const trial_plan& p);

} // namespace pgshift::torture
