// transfer_runner: the body of a transfer thread and the rules that decide its outcome.
#include "emulator/pg/transfer_runner.hpp"

#include "emulator/pg/pg_connection.hpp"
#include "emulator/pg/tool_pump.hpp"
#include "emulator/pg/transfer_state.hpp"

#include <cerrno>
#include <exception>
#include <fcntl.h>
#include <regex>
#include <signal.h>
#include <sys/wait.h>
#include <system_error>

namespace pgshift::emulator::pg_detail {

namespace {

constexpr const char* canceled_line = "transfer canceled";

// pg_restore keeps going past failed statements and, at the end, prints "warning: errors
// ignored on restore: N" and exits 1. Heroku reports such a restore as finished with
// warnings, so that exit counts as success with warnings = N; any other non-zero exit,
// or a signal, is a failure.
int ignored_errors(const std::vector<std::string>& logs) {
    static const std::regex pattern("errors ignored on restore: ([0-9]+)");
    // The summary is its last word: search backwards, past any object name that looks alike.
    for (auto line = logs.rbegin(); line != logs.rend(); ++line) {
        std::smatch m;
        if (std::regex_search(*line, m, pattern)) {
            return std::stoi(m[1].str());
        }
    }
    return -1;
}

transfer_outcome outcome_of(pump_result&& r, const std::string& tool, bool is_restore) {
    transfer_outcome out;
    out.logs = std::move(r.logs);
    out.bytes = r.fed;
    int exit_code = WIFEXITED(r.wait_status) ? WEXITSTATUS(r.wait_status) : -1;
    if (r.canceled) {
        out.logs.emplace_back(std::string(canceled_line) + ": " + tool + " stopped");
    } else if (exit_code == 0) {
        out.succeeded = true;
    } else if (int ignored = ignored_errors(out.logs);
               is_restore && exit_code == 1 && ignored >= 0) {
        out.succeeded = true;
        out.warnings = ignored;
    } else {
        out.logs.push_back(tool + " " + describe_status(r.wait_status));
    }
    return out;
}

std::int64_t size_of(const std::filesystem::path& file) {
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    return ec ? 0 : static_cast<std::int64_t>(size);
}

transfer_outcome run_dump(transfer_state& state, const tool_command& command,
                          const std::filesystem::path& file, const transfer_callbacks& cb) {
    pump_request request{command.spawn, command.secret, -1, [&] { return size_of(file); },
                         cb.on_progress};
    auto out = outcome_of(pump_tool(state, request), "pg_dump", false);
    out.bytes = size_of(file);
    if (!out.succeeded) {
        // A half-written archive must never be served as a backup.
        std::error_code ignored;
        std::filesystem::remove(file, ignored);
    }
    return out;
}

transfer_outcome run_restore(transfer_state& state, const tool_command& command,
                             const std::filesystem::path& file, const transfer_callbacks& cb) {
    unique_fd input(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!input.valid()) {
        transfer_outcome out;
        out.logs.push_back("cannot open dump " + file.string() + ": " +
                           std::error_code(errno, std::generic_category()).message());
        return out;
    }
    std::vector<std::string> before;
    if (command.prepare) {
        try {
            before = command.prepare(state);
        } catch (const std::exception& e) {
            transfer_outcome out;
            out.logs.push_back(redact(e.what(), command.secret));
            return out;
        }
    }
    // No measure: progress is the pump's count of bytes fed.
    pump_request request{command.spawn, command.secret, input.get(), nullptr, cb.on_progress};
    auto out = outcome_of(pump_tool(state, request), "pg_restore", true);
    out.logs.insert(out.logs.begin(), before.begin(), before.end());
    return out;
}

} // namespace

namespace {

using transfer_body = transfer_outcome (*)(transfer_state&, const tool_command&,
                                           const std::filesystem::path&, const transfer_callbacks&);

void transfer_main(const std::shared_ptr<transfer_state>& state, const tool_command& command,
                   const std::filesystem::path& file, const transfer_callbacks& cb,
                   transfer_body body) {
    // Writing to a pg_restore that already exited must fail with EPIPE, not end the process.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

    transfer_outcome out;
    if (state->cancel_requested()) {
        out.logs.push_back(std::string(canceled_line) + " before it started");
    } else {
        try {
            out = body(*state, command, file, cb);
        } catch (const std::exception& e) {
            out = transfer_outcome{};
            out.logs.push_back(redact(e.what(), command.secret));
        }
    }
    if (!command.scratch.empty()) {
        std::error_code ignored;
        std::filesystem::remove(command.scratch, ignored);
    }
    if (cb.on_done) {
        try {
            cb.on_done(out);
        } catch (...) { // NOLINT(bugprone-empty-catch): the contract forbids it; keep the thread
        }
    }
}

std::unique_ptr<running_transfer> start_thread(tool_command command, std::filesystem::path file,
                                               transfer_callbacks cb, transfer_body body) {
    auto state = std::make_shared<transfer_state>();
    std::thread thread([state, command = std::move(command), file = std::move(file),
                        cb = std::move(cb),
                        body] { transfer_main(state, command, file, cb, body); });
    try {
        return std::make_unique<running_transfer>(state, std::move(thread));
    } catch (...) {
        state->request_cancel();
        thread.join();
        throw;
    }
}

} // namespace

std::unique_ptr<running_transfer>
start_dump_thread(tool_command command, std::filesystem::path file, transfer_callbacks cb) {
    command.spawn.feed_stdin = false;
    return start_thread(std::move(command), std::move(file), std::move(cb), run_dump);
}

std::unique_ptr<running_transfer>
start_restore_thread(tool_command command, std::filesystem::path file, transfer_callbacks cb) {
    command.spawn.feed_stdin = true;
    return start_thread(std::move(command), std::move(file), std::move(cb), run_restore);
}

} // namespace pgshift::emulator::pg_detail
