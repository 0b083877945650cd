// Exclusive ownership of a state directory, so two daemons never drive one upgrade.
#include "persistence/state_dir_lock.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace pgshift::persistence {
namespace {

std::string read_holder(int fd) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) {
        pid.pop_back();
    }
    return pid.empty() ? "unknown" : pid;
}

} // namespace

result<std::unique_ptr<state_dir_lock>> state_dir_lock::acquire(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        throw std::system_error(ec, "cannot create state directory " + dir.string());
    }
    ::chmod(dir.c_str(), 0700);
    std::filesystem::path file = dir / "pgshiftd.lock";
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "cannot open " + file.string());
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        std::string holder = read_holder(fd);
        ::close(fd);
        if (err == EWOULDBLOCK) {
            return error{errc::conflict, "state directory " + dir.string() +
                                             " is in use by another pgshiftd (pid " + holder + ")"};
        }
        throw std::system_error(err, std::generic_category(), "cannot lock " + file.string());
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        int err = errno;
        ::close(fd);
        throw std::system_error(err, std::generic_category(), "cannot write " + file.string());
    }
    return std::unique_ptr<state_dir_lock>(new state_dir_lock(dir, fd));
}

state_dir_lock::~state_dir_lock() {
    ::close(fd_);
}

} // namespace pgshift::persistence
