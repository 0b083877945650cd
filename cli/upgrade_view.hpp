// The control API's upgrade and event JSON, decoded into plain values for display.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgshift::cli {

struct progress_view {
    std::int64_t processed_bytes = 0;
    std::optional<std::int64_t> total_bytes;
    std::optional<double> percent;
    std::optional<std::int64_t> eta_seconds;
    std::string message;
    // The report extrapolated to the answer's time (estimated: true), or repeated.
    std::optional<std::int64_t> estimated_bytes;
    bool estimated = false;
    std::optional<double> estimated_percent;
    std::optional<std::int64_t> estimated_eta_seconds;

    bool operator==(const progress_view&) const = default;
};

// The app's maintenance as pgshift caused it; absent before it began.
struct downtime_view {
    std::string began_at;
    std::string ended_at; // "" while in maintenance
    bool in_maintenance = false;
    std::optional<double> seconds;                 // so far, or final once ended
    std::optional<double> heroku_transfer_seconds; // Heroku's capture + restore, once ended
    std::optional<double> overhead_seconds;        // seconds - heroku_transfer_seconds

    bool operator==(const downtime_view&) const = default;
};

// Why the scheduler holds the upgrade back, and its place in line (1: next).
struct waiting_view {
    std::string reason;
    int place = 0; // 0: not said
    std::string since;
    std::string detail;

    bool operator==(const waiting_view&) const = default;
};

struct timing_view {
    std::string step;
    std::string started_at;
    std::string finished_at;       // "" while the step runs
    std::optional<double> seconds; // nullopt while the step runs
};

// Missing or null fields are left empty: the contract's nulls ("not known yet").
struct upgrade_view {
    std::string id;
    std::string app;
    std::string plan;
    std::string version;
    std::string state;
    bool paused = false;
    bool needs_attention = false;
    int attempt = 0;
    std::string step_started_at;
    std::optional<progress_view> progress;
    std::optional<downtime_view> downtime;
    std::optional<waiting_view> waiting;
    std::vector<std::pair<std::string, int>> formation; // (type, quantity)
    std::string source_addon;                           // add-on names
    std::string target_addon;
    std::string source_app; // the app owning the source add-on ("" until known)
    std::optional<std::int64_t> remove_source_after; // options.remove_source_after
    bool keep_target_on_rollback = false;            // options.keep_target_on_rollback
    std::string last_error;
    std::vector<timing_view> timings;
    std::string created_at;
    std::string updated_at;
    std::string finished_at;
};

struct event_view {
    std::int64_t seq = 0;
    std::string at;
    std::string type;
    std::string from; // "" for null
    std::string to;
    std::string detail;
};

// nullopt when j is not an object with a string "id" and "state".
std::optional<upgrade_view> decode_upgrade(const nlohmann::json& j);
// nullopt when j is not an object with an integer "seq".
std::optional<event_view> decode_event(const nlohmann::json& j);

// True for the states after which nothing more happens.
bool is_terminal_state(const std::string& state);

} // namespace pgshift::cli
