// child_process: posix_spawn with pipes, a clean signal state and no inherited descriptors.
#include "emulator/pg/child_process.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <system_error>

namespace pgshift::emulator::pg_detail {

namespace {

[[noreturn]] void throw_errno(int error, const char* what) {
    throw std::system_error(error, std::generic_category(), what);
}

// Both ends close-on-exec: the child only keeps what the file actions dup2 onto 0..2.
std::pair<unique_fd, unique_fd> make_pipe() {
    std::array<int, 2> fds{-1, -1};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw_errno(errno, "pipe2");
    }
    return {unique_fd(fds[0]), unique_fd(fds[1])};
}

void set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        throw_errno(errno, "fcntl");
    }
}

// RAII for the posix_spawn attribute objects.
struct spawn_setup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attr{};
    spawn_setup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
    }
    ~spawn_setup() {
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
    }
    spawn_setup(const spawn_setup&) = delete;
    spawn_setup& operator=(const spawn_setup&) = delete;
};

// The spawning thread blocks SIGPIPE (to see EPIPE instead) and the host may ignore
// signals; the tool must start with an empty mask and default dispositions.
void reset_signals(posix_spawnattr_t& attr) {
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) {
        sigaddset(&defaults, sig);
    }
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

std::vector<char*> c_strings(const std::string& first, const std::vector<std::string>& rest) {
    std::vector<char*> out;
    if (!first.empty()) {
        out.push_back(const_cast<char*>(first.c_str()));
    }
    for (const auto& s : rest) {
        out.push_back(const_cast<char*>(s.c_str()));
    }
    out.push_back(nullptr);
    return out;
}

} // namespace

child_process::child_process(const spawn_request& request) {
    auto [err_read, err_write] = make_pipe();
    unique_fd in_read;
    spawn_setup setup;
    if (request.feed_stdin) {
        auto [r, w] = make_pipe();
        in_read = std::move(r);
        stdin_ = std::move(w);
        posix_spawn_file_actions_adddup2(&setup.actions, in_read.get(), 0);
    } else {
        posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&setup.actions, err_write.get(), 2);
    // Descriptors other threads opened without O_CLOEXEC must not leak into the tool.
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
    reset_signals(setup.attr);

    const std::string program = request.program.string();
    auto argv = c_strings(program, request.args);
    auto envp = c_strings({}, request.env);
    int rc = ::posix_spawn(&pid_, program.c_str(), &setup.actions, &setup.attr, argv.data(),
                           envp.data());
    if (rc != 0) {
        pid_ = -1;
        throw_errno(rc, ("cannot start " + program).c_str());
    }
    stderr_ = std::move(err_read);
    set_nonblocking(stderr_.get());
    if (stdin_.valid()) {
        set_nonblocking(stdin_.get());
    }
}

child_process::~child_process() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

void child_process::signal(int sig) noexcept {
    if (pid_ > 0) {
        ::kill(pid_, sig);
    }
}

int child_process::wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) {
            pid_ = -1;
            throw_errno(errno, "waitpid");
        }
    }
    pid_ = -1;
    return status;
}

std::string describe_status(int wait_status) {
    if (WIFEXITED(wait_status)) {
        return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
    }
    if (WIFSIGNALED(wait_status)) {
        return "killed by signal " + std::to_string(WTERMSIG(wait_status));
    }
    return "ended with wait status " + std::to_string(wait_status);
}

} // namespace pgshift::emulator::pg_detail
