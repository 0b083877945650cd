// transfer_state: what a running_transfer shares with its thread (cancel flag, wake-up fd).
#pragma once

#include "emulator/pg/unique_fd.hpp"

#include <atomic>

namespace pgshift::emulator::pg_detail {

// Shared (not owned by either side) so the thread may outlive a running_transfer that
// on_done destroyed.
struct transfer_state {
    transfer_state(); // throws std::system_error when no eventfd can be made
    // Sets the flag and wakes the thread's poll() at once.
    void request_cancel() noexcept;
    bool cancel_requested() const noexcept { return cancel_.load(); }
    int wake_fd() const noexcept { return wake_.get(); }
    void drain_wake() noexcept;

private:
    std::atomic<bool> cancel_{false};
    unique_fd wake_; // eventfd, non-blocking
};

} // namespace pgshift::emulator::pg_detail
