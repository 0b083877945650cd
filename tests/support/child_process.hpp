// A child process for integration tests: spawned without a shell, output to files, waited
// for with a deadline, SIGKILLed if still running when destroyed.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace pgshift::testing {

struct exit_status {
    bool exited = false; // exited normally (then code) or was killed (then signal)
    int code = -1;
    int signal = 0;
};

class child_process {
public:
    // Starts argv[0] with extra environment entries ("NAME=value") added to this process's
    // environment; stdout and stderr go to out_file and err_file. Throws on failure.
    child_process(std::vector<std::string> argv, std::vector<std::string> extra_env,
                  std::filesystem::path out_file, std::filesystem::path err_file);
    ~child_process(); // SIGKILL + reap if still running
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    // Waits up to `limit`; nullopt if it is still running then.
    std::optional<exit_status> wait_for(std::chrono::milliseconds limit);
    void signal(int sig);
    pid_t pid() const noexcept { return pid_; }
    std::string out() const; // everything written to stdout so far
    std::string err() const;

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    std::filesystem::path out_, err_;
};

std::string read_file(const std::filesystem::path& p);

} // namespace pgshift::testing
