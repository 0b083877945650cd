// Unix-socket listener addresses ("unix:/path"): parsing and clearing a stale socket file.
#include "api/unix_socket.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>

namespace pgshift::http {

namespace {

[[noreturn]] void fail(int err, const std::string& path, const std::string& why) {
    throw std::system_error(err, std::generic_category(),
                            "http server: cannot listen on unix:" + path + " (" + why + ")");
}

// True when a server accepts connections on the socket at `path`.
bool someone_listens(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const bool connected =
        ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return connected;
}

} // namespace

std::optional<std::string> unix_socket_path(std::string_view address) {
    constexpr std::string_view prefix = "unix:";
    if (address.substr(0, prefix.size()) != prefix) {
        return std::nullopt;
    }
    return std::string(address.substr(prefix.size()));
}

void clear_stale_socket(const std::string& path) {
    if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path)) {
        fail(ENAMETOOLONG, path, "a socket path must have 1 to 107 bytes");
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        return; // nothing there (or unreadable: bind will say why)
    }
    if (!S_ISSOCK(st.st_mode)) {
        fail(EEXIST, path, "the path exists and is not a socket");
    }
    if (someone_listens(path)) {
        fail(EADDRINUSE, path, "another server answers on it");
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        fail(errno, path, "cannot remove the stale socket file");
    }
}

} // namespace pgshift::http
