// Mapping between the upgrade record and its row in the upgrades table.
#pragma once

#include "persistence/sqlite.hpp"
#include "statemachine/upgrade.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pgshift::persistence::rows {

// The column list every SELECT of an upgrade uses, in the order read_upgrade expects.
extern const std::string_view upgrade_columns;

// Reads the columns of `upgrade_columns` from the current row (formation not included).
// Throws sqlite::error when a stored spelling is unknown (a corrupt or foreign file).
upgrade read_upgrade(const sqlite::statement& st);

// Binds the mutable columns, in the order of the UPDATE in upgrade_store.cpp, from index 1.
// Returns the next free index.
int bind_mutable(sqlite::statement& st, const upgrade& u);

// Extensions are stored as one comma-separated column: validated names never hold a comma.
std::string join_extensions(const std::vector<std::string>& names);
std::vector<std::string> split_extensions(std::string_view joined);

std::int64_t to_ms(time_point t) noexcept;
time_point from_ms(std::int64_t ms) noexcept;

} // namespace pgshift::persistence::rows
