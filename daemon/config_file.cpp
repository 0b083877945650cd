// Reading the files pgshiftd is given by path: regular files of bounded size only.
#include "daemon/config_file.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pgshift::daemon {
namespace {

// " is a directory, not a regular file", or " is not a regular file" for the rare others.
std::string not_regular(mode_t mode) {
    if (S_ISDIR(mode)) {
        return " is a directory, not a regular file";
    }
    if (S_ISFIFO(mode)) {
        return " is a FIFO, not a regular file";
    }
    if (S_ISSOCK(mode)) {
        return " is a socket, not a regular file";
    }
    if (S_ISCHR(mode) || S_ISBLK(mode)) {
        return " is a device, not a regular file";
    }
    return " is not a regular file";
}

std::string size_text(std::size_t bytes) {
    return bytes % (1024 * 1024) == 0 ? std::to_string(bytes / (1024 * 1024)) + " MiB"
                                      : std::to_string(bytes / 1024) + " KiB";
}

// Closes the descriptor however the read ends.
struct fd_guard {
    int fd;
    ~fd_guard() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

} // namespace

result<std::string> read_regular_file(const std::filesystem::path& file, const std::string& shown,
                                      std::size_t max_bytes) {
    // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever. It has no
    // effect on the reads of a regular file.
    const fd_guard f{::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
    if (f.fd < 0) {
        return error{errc::invalid, "cannot read " + shown + ": " + std::strerror(errno)};
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) {
        return error{errc::invalid, "cannot read " + shown + ": " + std::strerror(errno)};
    }
    if (!S_ISREG(st.st_mode)) {
        return error{errc::invalid, shown + not_regular(st.st_mode)};
    }
    const std::string too_big = shown + " is larger than " + size_text(max_bytes);
    if (st.st_size < 0 || static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
        return error{errc::invalid, too_big};
    }
    std::string out;
    std::array<char, 64 * 1024> chunk{};
    for (;;) {
        const ::ssize_t n = ::read(f.fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return error{errc::invalid, "cannot read " + shown + ": " + std::strerror(errno)};
        }
        if (n == 0) {
            return out;
        }
        // A file that grows while it is read (or a /proc file that claims size 0) is still
        // held to the limit.
        if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
            return error{errc::invalid, too_big};
        }
        out.append(chunk.data(), static_cast<std::size_t>(n));
    }
}

} // namespace pgshift::daemon
