// Reads pgshiftd's TOML file (toml++) into raw setting values; unknown keys are errors.
#include "daemon/config_file.hpp"
#include "daemon/config_sources.hpp"

#include <toml++/toml.h>

namespace pgshift::daemon::config_detail {
namespace {

std::string at(const std::filesystem::path& file, const toml::source_region& where) {
    return file.string() + ":" + std::to_string(where.begin.line);
}

raw to_raw(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::string:
        return std::string(node.as_string()->get());
    case toml::node_type::integer:
        return node.as_integer()->get();
    case toml::node_type::floating_point:
        return node.as_floating_point()->get();
    case toml::node_type::boolean:
        return node.as_boolean()->get();
    case toml::node_type::array:
        return other_type{"array"};
    case toml::node_type::table:
        return other_type{"table"};
    default:
        return other_type{"date or time"};
    }
}

// The settings under a section, for the hint after an unknown key.
std::string known_under(std::string_view section) {
    std::string out;
    for (const setting_info& s : settings()) {
        auto dot = s.key.rfind('.');
        std::string_view parent = dot == std::string_view::npos ? "" : s.key.substr(0, dot);
        if (parent == section) {
            out += (out.empty() ? "" : ", ") + std::string(s.key);
        }
    }
    return out;
}

bool is_section(std::string_view key) {
    for (const setting_info& s : settings()) {
        if (s.key.starts_with(key) && s.key.size() > key.size() && s.key[key.size()] == '.') {
            return true;
        }
    }
    return false;
}

status walk(const std::filesystem::path& file, const toml::table& table, const std::string& prefix,
            std::vector<raw_value>& out) {
    for (auto&& [key, node] : table) {
        const std::string name =
            prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
        if (node.is_table() && is_section(name)) {
            if (auto inner = walk(file, *node.as_table(), name, out); !inner) {
                return inner;
            }
        } else if (find_setting(name) != nullptr) {
            out.push_back({name, to_raw(node), at(file, key.source())});
        } else {
            return error{errc::invalid,
                         problem(name, at(file, key.source()),
                                 "unknown setting (known here: " + known_under(prefix) + ")")};
        }
    }
    return ok_v;
}

} // namespace

result<std::vector<raw_value>> read_toml_file(const std::filesystem::path& file) {
    auto text = read_regular_file(file, "config file " + file.string(), config_file_limit);
    if (!text) {
        return text.err();
    }
    std::vector<raw_value> out;
    try {
        toml::table root = toml::parse(*text, file.string());
        if (auto walked = walk(file, root, "", out); !walked) {
            return walked.err();
        }
    } catch (const toml::parse_error& e) {
        return error{errc::invalid, file.string() + ":" + std::to_string(e.source().begin.line) +
                                        ": not valid TOML: " + std::string(e.description())};
    }
    return out;
}

} // namespace pgshift::daemon::config_detail
