// Parsed request bodies handed from routes to the world (no JSON past this point).
#pragma once

#include "emulator/transfer.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgshift::emulator {

struct seed_request {
    std::string name;
    std::string plan = "heroku-postgresql:standard-0";
    std::string postgres_version = "15";
    std::vector<std::pair<std::string, int>> formation{{"web", 1}};
    std::string sql;                        // loaded into the database (real mode only)
    bool pooler = false;                    // attach DATABASE_CONNECTION_POOL too
    bool release_phase = false;             // adds a `release` formation entry
    bool release_phase_fails = false;       // ... whose release command fails
    std::optional<std::int64_t> size_bytes; // simulated database size
    // Set: no add-on of its own; that app's DATABASE add-on is attached here as DATABASE.
    std::optional<std::string> database_of;
};

struct addon_request {
    std::string plan;                          // "heroku-postgresql:standard-2"
    std::map<std::string, std::string> config; // e.g. version=16
    std::optional<std::string> attachment_name, name, confirm;
    bool fail_provisioning = false; // set by an injected fault
};

struct attachment_request {
    std::string addon; // name or id
    std::string app;   // name or id
    std::optional<std::string> name, namespace_, confirm;
};

struct formation_update {
    std::string type;
    std::optional<int> quantity; // absolute
    std::optional<int> delta;    // "+1" / "-1" as the CLI sends
    std::optional<std::string> size;
};

enum class release_phase_mode { none, succeed, fail };

struct app_update {
    std::optional<bool> maintenance;
    std::optional<std::string> name;
};

} // namespace pgshift::emulator
