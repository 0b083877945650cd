// Request values pgshift sends, and their JSON bodies (heroku-api.md §3). Pure.
#pragma once

#include "heroku/types.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::heroku {

// POST /apps/{app}/addons
struct addon_create_request {
    std::string plan;                           // "heroku-postgresql:standard-2"
    std::optional<std::string> version;         // config.version, e.g. "16"
    std::optional<std::string> name;            // pgshift's deterministic add-on name
    std::optional<std::string> attachment_name; // omitted: Heroku picks HEROKU_POSTGRESQL_<COLOR>
    std::optional<std::string> confirm;         // the app name, after a 423
    std::map<std::string, std::string> config;  // other add-on config, passed as strings
};

// POST /addon-attachments. The promotion is {addon, app, confirm, name: "DATABASE",
// namespace: null}; the keep-an-alias request has no name and the current namespace.
struct attachment_create_request {
    std::string addon_name;
    std::string app;
    std::optional<std::string> name;       // omitted: Heroku picks one
    std::optional<std::string> name_space; // always sent: null when unset, as the CLI does
    std::optional<std::string> confirm;
};

std::string maintenance_body(bool on);                                    // {"maintenance":on}
std::string formation_body(const std::vector<formation_update>& updates); // integer quantities
std::string addon_create_body(const addon_create_request& request);
std::string attachment_create_body(const attachment_create_request& request);
std::string addon_destroy_body(); // {"force":false}
// {"backup_url"} plus "extensions" (lower-cased, sorted) when there are any.
std::string restore_body(std::string_view backup_url, std::vector<std::string> extensions = {});

} // namespace pgshift::heroku
