// Read-only snapshots the world hands to routes, so no route ever holds the world's lock.
#pragma once

#include "emulator/model.hpp"
#include "emulator/transfer.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::emulator {

struct app_ref {
    std::string id, name;
};

struct addon_view {
    addon record;
    addon_state state = addon_state::provisioning;
    app_ref app;
    std::vector<std::string> config_vars; // empty until provisioned, as on Heroku
};

struct attachment_view {
    attachment record;
    app_ref app;
    addon_view addon;
    std::vector<std::string> config_vars;
};

struct release_view {
    release record;
    release_status status = release_status::succeeded;
    app_ref app;
    bool current = false; // the newest succeeded release: a failed one never becomes current
};

struct wait_status {
    bool waiting = true;
    bool error = false;
    std::string message;
};

struct database_view {
    addon_view addon;
    std::int64_t bytes = 0;
    int tables = 0;
    bool waiting = true;
    std::vector<std::string> attachment_names;
};

struct transfer_view {
    transfer record;
    app_ref app;
};

struct ledger_entry {
    std::int64_t seq = 0;
    time_point at;
    std::string kind, app, subject, detail;
};

} // namespace pgshift::emulator
