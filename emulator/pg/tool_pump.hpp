// tool_pump: runs one pg_dump/pg_restore child to its end: stderr, stdin feed, cancel, progress.
#pragma once

#include "emulator/pg/child_process.hpp"
#include "emulator/pg/transfer_state.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pgshift::emulator::pg_detail {

struct pump_request {
    spawn_request spawn;
    std::string secret;                       // redacted from every log line
    int feed_fd = -1;                         // if >= 0: copied to the child's stdin
    std::function<std::int64_t()> measure;    // progress, polled ~every 100 ms; unset: fed
    std::function<void(std::int64_t)> report; // called when `measure` grew
};

struct pump_result {
    int wait_status = 0;
    bool canceled = false;         // we signalled the child before it ended
    std::vector<std::string> logs; // its stderr lines, redacted
    std::int64_t fed = 0;          // bytes written to its stdin
};

// Blocks until the child has exited and been reaped. On cancel, SIGTERM (the tools then
// cancel their server query), SIGKILL after a grace period. Throws std::system_error when
// the child cannot be started or polling fails (the child is then killed and reaped).
pump_result pump_tool(transfer_state& state, const pump_request& request);

} // namespace pgshift::emulator::pg_detail
