// running_transfer: cancel and shutdown of a transfer thread; the shared transfer_state.
#include "emulator/pg/running_transfer.hpp"

#include "emulator/pg/transfer_state.hpp"

#include <cerrno>
#include <cstdint>
#include <sys/eventfd.h>
#include <system_error>

namespace pgshift::emulator {

namespace pg_detail {

transfer_state::transfer_state()
    : wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!wake_.valid()) {
        throw std::system_error(errno, std::generic_category(), "eventfd");
    }
}

void transfer_state::request_cancel() noexcept {
    cancel_.store(true);
    std::uint64_t one = 1;
    // A full counter already wakes the reader, so a failed write loses nothing.
    [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
}

void transfer_state::drain_wake() noexcept {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(wake_.get(), &count, sizeof count);
}

} // namespace pg_detail

running_transfer::running_transfer(std::shared_ptr<pg_detail::transfer_state> state,
                                   std::thread thread)
    : state_(std::move(state))
    , thread_(std::move(thread)) {}

running_transfer::~running_transfer() {
    if (!thread_.joinable()) {
        return;
    }
    if (thread_.get_id() == std::this_thread::get_id()) {
        // Destroyed from on_done: the thread touches nothing of ours after that call.
        thread_.detach();
        return;
    }
    state_->request_cancel();
    thread_.join();
}

void running_transfer::cancel() noexcept {
    state_->request_cancel();
}

} // namespace pgshift::emulator
