// child_process: pg_dump/pg_restore started without a shell, reaped exactly once.
#pragma once

#include "emulator/pg/unique_fd.hpp"

#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pgshift::emulator::pg_detail {

struct spawn_request {
    std::filesystem::path program;
    std::vector<std::string> args; // without argv[0]
    std::vector<std::string> env;  // "NAME=value", the child's whole environment
    bool feed_stdin = false;       // true: stdin is a pipe (see child_process::input)
};

class child_process {
public:
    // Starts `request.program` with stdout on /dev/null, stderr on a pipe and every other
    // descriptor closed. Throws std::system_error when the program cannot be started.
    explicit child_process(const spawn_request& request);
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    // Kills and reaps the child if wait() was never called: no zombies, no orphans.
    ~child_process();

    unique_fd& input() noexcept { return stdin_; }   // write end, non-blocking, may be closed
    unique_fd& errors() noexcept { return stderr_; } // read end, non-blocking

    // Sends `sig` unless the child has been reaped (so a recycled pid is never hit).
    void signal(int sig) noexcept;

    // Blocks until the child exits; returns its wait status. Call once.
    int wait();

private:
    pid_t pid_ = -1;
    unique_fd stdin_;
    unique_fd stderr_;
};

// "exited with status 1", "killed by signal 15": for logs.
std::string describe_status(int wait_status);

} // namespace pgshift::emulator::pg_detail
