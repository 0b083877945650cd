// pg_cluster: runs scripts/pg-cluster start/stop around a temporary directory.
#include "tests/support/pg_cluster.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

extern char** environ; // NOLINT(readability-redundant-declaration): POSIX, for posix_spawn

namespace pgshift::testing {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// Reads both pipes until both reach end of file (a full pipe must never block the child).
void drain(int out_fd, int err_fd, command_result& result) {
    std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    std::array<char, 4096> buf{};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("poll");
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
            if (n > 0) {
                sinks[i]->append(buf.data(), static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                fds[i].fd = -1;
            }
        }
    }
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

} // namespace

command_result run_command(const std::vector<std::string>& argv) {
    int out[2];
    int err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        throw_errno("pipe2");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    command_result result;
    if (rc == 0) {
        drain(out[0], err[0], result);
    }
    ::close(out[0]);
    ::close(err[0]);
    if (rc != 0) {
        errno = rc;
        throw_errno("cannot start " + argv[0]);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::filesystem::path pg_cluster_script() {
    return std::filesystem::path(PGSHIFT_SOURCE_DIR) / "scripts" / "pg-cluster";
}

std::filesystem::path copy_pg_cluster_script(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    auto copy = dir / "pg-cluster";
    fs::copy_file(pg_cluster_script(), copy, fs::copy_options::overwrite_existing);
    fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    return copy;
}

namespace {

void stop_cluster(const std::filesystem::path& dir) noexcept {
    try {
        auto stopped = run_command({pg_cluster_script().string(), "stop", dir.string()});
        if (stopped.exit_code != 0) {
            std::cerr << "scripts/pg-cluster stop " << dir << " failed: " << stopped.err;
        }
        std::error_code ignored;
        std::filesystem::remove(dir.parent_path(), ignored); // the mkdtemp root, now empty
    } catch (const std::exception& e) {
        std::cerr << "scripts/pg-cluster stop " << dir << " failed: " << e.what() << '\n';
    }
}

} // namespace

// The cluster goes one level below a fresh mkdtemp directory (mode 0700), so every start
// also exercises the script's handling of parents the postgres user cannot traverse.
pg_cluster::pg_cluster() {
    std::string root = (std::filesystem::temp_directory_path() / "pgshift-pg-XXXXXX").string();
    if (::mkdtemp(root.data()) == nullptr) {
        throw_errno("mkdtemp " + root);
    }
    dir_ = std::filesystem::path(root) / "cluster";
    auto started = run_command({pg_cluster_script().string(), "start", dir_.string()});
    admin_url_ = trim(started.out);
    if (started.exit_code != 0 || admin_url_.empty() ||
        admin_url_.find('\n') != std::string::npos) {
        // A half-started cluster (e.g. never became ready) must not outlive the test.
        stop_cluster(dir_);
        throw std::runtime_error("scripts/pg-cluster start " + dir_.string() + " failed (exit " +
                                 std::to_string(started.exit_code) + ", stdout \"" + started.out +
                                 "\"): " + started.err);
    }
}

pg_cluster::~pg_cluster() {
    stop_cluster(dir_);
}

pg_cluster& shared_cluster() {
    static pg_cluster cluster;
    return cluster;
}

namespace {

std::string from_environment() {
    if (const char* url = std::getenv("PGSHIFT_TEST_ADMIN_URL"); url != nullptr && *url != 0) {
        return url;
    }
    const char* dir = std::getenv("PGSHIFT_TEST_CLUSTER_DIR");
    if (dir == nullptr || *dir == 0) {
        return {};
    }
    std::ifstream in(std::filesystem::path(dir) / "admin_url");
    std::string url;
    if (!std::getline(in, url) || url.empty()) {
        // Fail, never fall back silently: the fixture that should have started it broke.
        throw std::runtime_error(std::string("PGSHIFT_TEST_CLUSTER_DIR=") + dir +
                                 " holds no admin_url: did its pg-cluster start fail?");
    }
    return url;
}

} // namespace

const std::string& shared_admin_url() {
    static const std::string external = from_environment();
    return external.empty() ? shared_cluster().admin_url() : external;
}

} // namespace pgshift::testing
