// The requests a plan can make, as descriptors: what to ask, not a call. The interpreter
// (daemon/interpreter.cpp) sends each one; answer is what the plan gets back.
#pragma once

#include "heroku/api_error.hpp"
#include "heroku/data_types.hpp"
#include "heroku/requests.hpp"
#include "heroku/types.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pgshift::plan {

// What a read-only look at a PostgreSQL database found (libpq, off the event loop).
struct table_counts {
    bool ok = false;      // false: could not compare (the message says why)
    bool matches = false; // same tables, same counts
    std::string message;  // never holds a URL or password
};
struct extension_list {
    bool ok = false;
    std::vector<std::string> names; // installed extensions but plpgsql, sorted
    std::string message;            // never holds a URL or password
};

namespace rq {

// Platform API
struct get_app {
    using answer = heroku::outcome<heroku::app_info>;
    static constexpr bool writes = false;
    std::string app;
};
struct set_maintenance {
    using answer = heroku::outcome<heroku::app_info>;
    static constexpr bool writes = true;
    std::string app;
    bool on = false;
};
struct list_formation {
    using answer = heroku::outcome<std::vector<heroku::formation_entry>>;
    static constexpr bool writes = false;
    std::string app;
};
struct scale_formation {
    using answer = heroku::outcome<std::vector<heroku::formation_entry>>;
    static constexpr bool writes = true;
    std::string app;
    std::vector<heroku::formation_update> updates;
};
struct list_attachments {
    using answer = heroku::outcome<std::vector<heroku::attachment>>;
    static constexpr bool writes = false;
    std::string app;
};
struct create_attachment {
    using answer = heroku::outcome<heroku::attachment>;
    static constexpr bool writes = true;
    heroku::attachment_create_request body;
};
struct get_addon {
    using answer = heroku::outcome<heroku::addon>;
    static constexpr bool writes = false;
    std::string app;
    std::string addon; // name or id
};
struct create_addon {
    using answer = heroku::outcome<heroku::addon>;
    static constexpr bool writes = true;
    std::string app;
    heroku::addon_create_request body;
};
struct destroy_addon {
    using answer = heroku::outcome<heroku::addon>;
    static constexpr bool writes = true;
    std::string app_id;
    std::string addon_id;
};
struct get_config_vars {
    using answer = heroku::outcome<heroku::config_vars>;
    static constexpr bool writes = false;
    std::string app;
};
// The newest `max`, newest first; with `after`, the oldest `max` after that version,
// oldest first.
struct list_releases {
    using answer = heroku::outcome<std::vector<heroku::release>>;
    static constexpr bool writes = false;
    std::string app;
    int max = 5;
    std::optional<std::int64_t> after;
};
struct get_release {
    using answer = heroku::outcome<heroku::release>;
    static constexpr bool writes = false;
    std::string app;
    std::string id;
};
// Data API
struct wait_status {
    using answer = heroku::outcome<heroku::wait_status>;
    static constexpr bool writes = false;
    std::string addon_id;
};
struct database_info {
    using answer = heroku::outcome<heroku::database_info>;
    static constexpr bool writes = false;
    std::string addon_id;
};
struct capture_backup {
    using answer = heroku::outcome<heroku::transfer>;
    static constexpr bool writes = true;
    std::string addon_id;
};
struct create_restore {
    using answer = heroku::outcome<heroku::transfer>;
    static constexpr bool writes = true;
    std::string addon_id;
    std::string backup_url; // a credential: never in the history
    std::vector<std::string> extensions;
};
struct get_transfer {
    using answer = heroku::outcome<heroku::transfer>;
    static constexpr bool writes = false;
    std::string app;
    std::string uuid;
    bool verbose = false;
};
struct list_transfers {
    using answer = heroku::outcome<std::vector<heroku::transfer>>;
    static constexpr bool writes = false;
    std::string app;
};
struct cancel_transfer {
    using answer = heroku::outcome_void;
    static constexpr bool writes = true;
    std::string app;
    std::string uuid;
};
// PostgreSQL itself, read-only (URLs are credentials: never in the history)
struct compare_tables {
    using answer = table_counts;
    static constexpr bool writes = false;
    std::string source_url;
    std::string target_url;
};
struct read_extensions {
    using answer = extension_list;
    static constexpr bool writes = false;
    std::string url;
};

} // namespace rq

using request =
    std::variant<rq::get_app, rq::set_maintenance, rq::list_formation, rq::scale_formation,
                 rq::list_attachments, rq::create_attachment, rq::get_addon, rq::create_addon,
                 rq::destroy_addon, rq::get_config_vars, rq::list_releases, rq::get_release,
                 rq::wait_status, rq::database_info, rq::capture_backup, rq::create_restore,
                 rq::get_transfer, rq::list_transfers, rq::cancel_transfer, rq::compare_tables,
                 rq::read_extensions>;

} // namespace pgshift::plan
