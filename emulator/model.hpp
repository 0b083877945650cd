// Domain records of the emulated Heroku account: apps, dynos, add-ons, attachments, releases.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::emulator {

using time_point = std::chrono::system_clock::time_point;
using millis = std::chrono::milliseconds;

enum class addon_state { provisioning, provisioned, deprovisioning, deprovisioned };
enum class release_status { pending, succeeded, failed };

const char* to_string(addon_state s) noexcept;
const char* to_string(release_status s) noexcept;

struct dyno_type {
    std::string id, type, size = "standard-1X", command;
    int quantity = 0;
    time_point created_at, updated_at;
};

struct app {
    std::string id, name;
    bool maintenance = false;
    std::vector<dyno_type> formation;
    std::map<std::string, std::string> config; // vars set by hand; add-on vars are derived
    bool release_phase_fails = false;          // its release command fails (with a release phase)
    int next_release_version = 1;
    int next_transfer_num = 1;
    time_point created_at, updated_at;
};

struct addon {
    std::string id, name, app_id, plan, postgres_version;
    time_point created_at, updated_at;
    time_point ready_at;                   // earliest end of provisioning (configured delay)
    std::optional<time_point> database_at; // when its database existed (real: creation done)
    std::optional<time_point> destroyed_at;
    bool provisioning_fails = false; // fault: provisioning ends deprovisioned
    std::string resource_url;        // postgres:// URL of its database
    std::int64_t simulated_bytes = 0;
    int simulated_tables = 0;
    bool real = false; // backed by a database on --postgres
    // The state at `now`, advanced lazily from the timestamps above.
    addon_state state_at(time_point now) const noexcept;
};

struct attachment {
    std::string id, name, addon_id, app_id;
    std::optional<std::string> namespace_; // e.g. "connection-pooling:default"; nullopt = null
    time_point created_at, updated_at;
    std::string config_var() const { return name + "_URL"; }
};

struct release {
    std::string id, app_id, description;
    int version = 0;
    time_point created_at;
    time_point settles_at;      // release phase: pending until then
    bool release_phase = false; // ran a release command (has an output stream)
    bool fails = false;         // ... which failed: `failed` instead of `succeeded`
    release_status status_at(time_point now) const noexcept;
};

} // namespace pgshift::emulator
