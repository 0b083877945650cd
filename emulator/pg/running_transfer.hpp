// running_transfer: a pg_dump or pg_restore in flight, its callbacks and its outcome.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pgshift::emulator {

struct transfer_outcome {
    bool succeeded = false;
    int warnings = 0;              // pg_restore "errors ignored on restore: N"
    std::vector<std::string> logs; // the tool's stderr lines, then ours; never a password
    std::int64_t bytes = 0;        // bytes dumped / bytes fed to pg_restore
};

// Both are called from the transfer's own thread and must not throw (an exception from
// on_progress fails the transfer; one from on_done is swallowed). on_done may destroy
// the running_transfer that reports it.
struct transfer_callbacks {
    std::function<void(std::int64_t processed_bytes)> on_progress; // growing, ~every 100 ms
    std::function<void(const transfer_outcome&)> on_done;          // exactly once
};

namespace pg_detail {
struct transfer_state;
}

// Owns the transfer's thread and, through it, the child process.
class running_transfer {
public:
    // Made by pg_backend::start_dump/start_restore; `thread` already runs the transfer.
    running_transfer(std::shared_ptr<pg_detail::transfer_state> state, std::thread thread);
    running_transfer(const running_transfer&) = delete;
    running_transfer& operator=(const running_transfer&) = delete;
    // Cancels if still running and joins (detaches when called from on_done itself).
    ~running_transfer();

    // Kills the child; on_done then reports failure with a "canceled" log line. A no-op once
    // the transfer has finished. Thread-safe.
    void cancel() noexcept;

private:
    std::shared_ptr<pg_detail::transfer_state> state_;
    std::thread thread_;
};

} // namespace pgshift::emulator
