// Mapping between the upgrade record and its row in the upgrades table.
#pragma once

#include "persistence/sqlite.hpp"
#include "statemachine/upgrade.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pgshift::persistence::rows {

// The SQL below is built once from for_each_upgrade_field (statemachine/upgrade_fields.hpp):
// a column missing from one statement cannot happen, and parameters are bound by name.

// The column list every SELECT of an upgrade uses, in the order read_upgrade expects.
std::string_view upgrade_columns();

// Reads the columns of `upgrade_columns` from the current row (formation not included).
// Throws sqlite::error when a stored spelling is unknown (a corrupt or foreign file).
upgrade read_upgrade(const sqlite::statement& st);

// INSERT of every column, each from its :name parameter.
std::string_view insert_sql();
void bind_insert(sqlite::statement& st, const upgrade& u);

// UPDATE of every status and step_data column, and version := :next_version, of the row
// named :id whose version still is :version (the compare-and-set).
std::string_view update_sql();
void bind_update(sqlite::statement& st, const upgrade& u, std::int64_t from_version,
                 std::int64_t to_version);

// Extensions are stored as one comma-separated column: validated names never hold a comma.
std::string join_extensions(const std::vector<std::string>& names);
std::vector<std::string> split_extensions(std::string_view joined);

std::int64_t to_ms(time_point t) noexcept;
time_point from_ms(std::int64_t ms) noexcept;

} // namespace pgshift::persistence::rows
