// restore_prep: what a restore does before pg_restore, as Heroku's does: no extensions from the
// dump.
#pragma once

#include "emulator/pg/pg_connection.hpp"
#include "emulator/pg/transfer_state.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::emulator::pg_detail {

struct restore_prep {
    std::filesystem::path pg_restore;    // lists the dump's table of contents
    std::filesystem::path dump;          // the archive to restore
    std::filesystem::path list_file;     // the filtered contents, for pg_restore --use-list
    connection_params admin;             // a superuser, connected to the target database
    std::vector<std::string> extensions; // "hstore" or "schema.hstore", as the request named
};

// True for a table-of-contents line of `pg_restore --list` that creates an extension or
// comments on one.
bool is_extension_entry(std::string_view toc_line);

// Writes the dump's contents without extension entries to `list_file`, then creates each
// requested extension (IF NOT EXISTS) in the target. Returns log lines saying what it did.
// Throws std::runtime_error naming the extension or the listing that failed.
std::vector<std::string> prepare_restore(transfer_state& state, const restore_prep& prep);

} // namespace pgshift::emulator::pg_detail
