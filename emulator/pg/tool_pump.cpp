// tool_pump: the poll() loop that owns a child while it runs.
#include "emulator/pg/tool_pump.hpp"

#include "emulator/pg/pg_connection.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <system_error>

namespace pgshift::emulator::pg_detail {

namespace {

using clock = std::chrono::steady_clock;
constexpr auto progress_interval = std::chrono::milliseconds(100);
constexpr auto kill_grace = std::chrono::seconds(3);
constexpr std::size_t max_log_lines = 1000;
constexpr std::size_t chunk_size = std::size_t{64} * 1024;

// Splits stderr into lines, redacting each, and caps their number (a runaway tool must not
// grow the emulator's memory without bound).
class line_collector {
public:
    explicit line_collector(const std::string& secret)
        : secret_(secret) {}
    void add(const char* data, std::size_t n) {
        partial_.append(data, n);
        for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n')) {
            push(partial_.substr(0, nl));
            partial_.erase(0, nl + 1);
        }
    }
    std::vector<std::string> finish() {
        if (!partial_.empty()) {
            push(std::exchange(partial_, {}));
        }
        return std::move(lines_);
    }

private:
    void push(std::string line) {
        if (lines_.size() < max_log_lines) {
            lines_.push_back(redact(std::move(line), secret_));
        }
    }
    const std::string& secret_;
    std::string partial_;
    std::vector<std::string> lines_;
};

// Copies the feed file to the child's stdin, a chunk at a time, never blocking.
class feeder {
public:
    explicit feeder(int file_fd)
        : file_fd_(file_fd)
        , buffer_(chunk_size) {}

    // Writes what the pipe takes. Returns false when the input is done: end of file, or
    // the child stopped reading (EPIPE).
    bool write_some(int pipe_fd, std::int64_t& fed) {
        if (offset_ == length_) {
            ssize_t n = ::read(file_fd_, buffer_.data(), buffer_.size());
            if (n < 0 && errno == EINTR) {
                return true;
            }
            if (n < 0) {
                throw std::system_error(errno, std::generic_category(), "read dump file");
            }
            if (n == 0) {
                return false;
            }
            offset_ = 0;
            length_ = static_cast<std::size_t>(n);
        }
        ssize_t n = ::write(pipe_fd, buffer_.data() + offset_, length_ - offset_);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                return true;
            }
            if (errno == EPIPE) {
                consume_sigpipe();
                return false;
            }
            throw std::system_error(errno, std::generic_category(), "write to tool");
        }
        offset_ += static_cast<std::size_t>(n);
        fed += n;
        return true;
    }

private:
    // SIGPIPE is blocked in transfer threads; the pending one is cleared so that it can never
    // be delivered later, should the mask change.
    static void consume_sigpipe() noexcept {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        timespec zero{};
        ::sigtimedwait(&pipe_only, nullptr, &zero);
    }

    int file_fd_;
    std::vector<char> buffer_;
    std::size_t offset_ = 0, length_ = 0;
};

void read_errors(unique_fd& fd, line_collector& lines) {
    std::array<char, 4096> buf{};
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n > 0) {
            lines.add(buf.data(), static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n == 0 || errno != EAGAIN) {
            fd.reset(); // end of file: the child exited (or closed stderr)
        }
        return;
    }
}

} // namespace

namespace {

// SIGTERM once on request (pg_dump and pg_restore then cancel their query and exit),
// SIGKILL if the child is still there after the grace period.
struct cancel_control {
    bool signalled = false;
    bool killed = false;
    clock::time_point at{};

    void check(transfer_state& state, child_process& child) {
        if (!signalled && state.cancel_requested()) {
            child.signal(SIGTERM);
            child.input().reset(); // stop feeding: EOF for a pg_restore that survives
            signalled = true;
            at = clock::now();
        } else if (signalled && !killed && clock::now() - at > kill_grace) {
            child.signal(SIGKILL);
            killed = true;
        }
    }
};

// Reports progress when it grew, at most every progress_interval (and once at the end).
struct progress_reporter {
    const pump_request& request;
    std::int64_t reported = 0;
    clock::time_point last{};

    void tick(bool final, std::int64_t fed) {
        if (!request.report) {
            return;
        }
        auto now = clock::now();
        if (!final && now - last < progress_interval) {
            return;
        }
        last = now;
        if (auto value = request.measure ? request.measure() : fed; value > reported) {
            reported = value;
            request.report(value);
        }
    }
};

} // namespace

pump_result pump_tool(transfer_state& state, const pump_request& request) {
    child_process child(request.spawn);
    line_collector lines(request.secret);
    feeder feed(request.feed_fd);
    cancel_control cancel;
    progress_reporter progress{request};
    pump_result result;
    while (child.errors().valid() || child.input().valid()) {
        std::array<pollfd, 3> fds{{{state.wake_fd(), POLLIN, 0},
                                   {child.errors().get(), POLLIN, 0},
                                   {child.input().get(), POLLOUT, 0}}};
        // Negative descriptors (already closed) are ignored by poll().
        if (::poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        if (fds[0].revents != 0) {
            state.drain_wake();
        }
        cancel.check(state, child);
        if (fds[1].revents != 0 && child.errors().valid()) {
            read_errors(child.errors(), lines);
        }
        if (fds[2].revents != 0 && child.input().valid() &&
            !feed.write_some(child.input().get(), result.fed)) {
            child.input().reset(); // EOF for the child, or it stopped reading
        }
        progress.tick(false, result.fed);
    }
    result.wait_status = child.wait();
    // A child that finished its work before our signal landed has not been canceled.
    bool clean_exit = WIFEXITED(result.wait_status) && WEXITSTATUS(result.wait_status) == 0;
    result.canceled = cancel.signalled && !clean_exit;
    result.logs = lines.finish();
    progress.tick(true, result.fed);
    return result;
}

} // namespace pgshift::emulator::pg_detail
