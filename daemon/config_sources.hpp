// Internal to config: the settings table and the raw values each source (TOML, flags) yields.
#pragma once

#include "daemon/config.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pgshift::daemon::config_detail {

struct other_type { // a TOML array, table, date or time: never a valid setting
    std::string name;
};
using raw = std::variant<std::string, std::int64_t, double, bool, other_type>;

// One setting's value as one source spelled it, not yet checked.
struct raw_value {
    std::string setting; // "engine.poll_ms"
    raw value;
    std::string origin; // "/etc/pgshift/pgshiftd.toml:12", "$PGSHIFT_POLL_MS", "--poll-ms"
};

enum class kind { text, integer, number, boolean };

struct setting_info {
    std::string_view key;     // the TOML key, dotted; also the name in every error
    std::string_view env;     // "" when there is none
    std::string_view flag;    // "" when there is none
    std::string_view metavar; // for --help
    std::string_view help;
    kind type = kind::text;
    // Checks and stores; returns "" or what is wrong with the value (no setting, no source).
    std::string (*apply)(config& cfg, const raw& value, const std::string& origin) = nullptr;
};

std::span<const setting_info> settings();
const setting_info* find_setting(std::string_view key);

// "key (origin): problem": the one line every configuration error is.
std::string problem(std::string_view key, std::string_view origin, std::string_view what);

// The settings a TOML file sets, in file order. Errors: unreadable, not TOML (file:line),
// an unknown key (named, with its line).
result<std::vector<raw_value>> read_toml_file(const std::filesystem::path& file);

struct flag_values {
    std::vector<raw_value> values;
    std::optional<std::string> config_file; // --config
    bool check_only = false;                // --check-config
    std::optional<std::string> help;        // --help was given: the text
};
// argv without argv[0], parsed with CLI11. An unknown argument is named only when it is a
// flag: a stray positional argument may be a pasted token.
result<flag_values> read_flags(const std::vector<std::string>& args);

} // namespace pgshift::daemon::config_detail
