// transfer_runner: starts the thread of a dump or a restore and turns its end into an outcome.
#pragma once

#include "emulator/pg/child_process.hpp"
#include "emulator/pg/running_transfer.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pgshift::emulator::pg_detail {

struct transfer_state;

// One tool invocation; `spawn.env` carries PGPASSWORD, `secret` is redacted from logs.
struct tool_command {
    spawn_request spawn;
    std::string secret;
    // Restores: runs on the transfer's thread before the tool; its lines start the logs, and
    // a std::exception fails the transfer with its message. `scratch` is removed at the end.
    std::function<std::vector<std::string>(transfer_state&)> prepare;
    std::filesystem::path scratch;
};

// `command` must write the dump to `file` (pg_dump --file). Throws std::system_error only
// when no thread can be started; everything else reaches cb.on_done.
std::unique_ptr<running_transfer>
start_dump_thread(tool_command command, std::filesystem::path file, transfer_callbacks cb);

// `command` must read the archive from stdin (pg_restore without a file argument).
std::unique_ptr<running_transfer>
start_restore_thread(tool_command command, std::filesystem::path file, transfer_callbacks cb);

} // namespace pgshift::emulator::pg_detail
