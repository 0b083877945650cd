// A wake-up for one worker: operator commands notify it, naps wait on it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace pgshift::daemon {

class worker_signal {
public:
    explicit worker_signal(boost::asio::any_io_executor ex)
        : timer_(ex) {}

    // Waits up to d; true when notified before it passed. Cancellation of the awaiting
    // coroutine propagates as usual.
    boost::asio::awaitable<bool> wait(std::chrono::milliseconds d);
    // Ends the current wait (or makes the next one return at once).
    void notify();

private:
    boost::asio::steady_timer timer_;
    bool pending_ = false;
};

} // namespace pgshift::daemon
