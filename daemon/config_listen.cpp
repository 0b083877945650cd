// api.listen: an IP literal and port, or a unix socket path; and whether it is loopback.
#include "daemon/config.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <netinet/in.h>

namespace pgshift::daemon {

std::optional<listen_address> parse_listen_address(std::string_view text) {
    listen_address out;
    if (text.starts_with("unix:")) {
        out.unix_socket = true;
        out.path = std::string(text.substr(5));
        out.host.clear();
        out.port = 0;
        // sun_path holds 108 bytes with the NUL.
        if (!out.path.is_absolute() || out.path.string().size() > 107) {
            return std::nullopt;
        }
        return out;
    }
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view host = text.substr(0, colon);
    std::string_view port = text.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    // Port 0 asks for an ephemeral port; pgshiftd logs the one it got ("listening on").
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
        return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(value);
    const bool v6 = host.size() > 2 && host.front() == '[' && host.back() == ']';
    out.host = std::string(v6 ? host.substr(1, host.size() - 2) : host);
    unsigned char addr[sizeof(in6_addr)];
    if (::inet_pton(v6 ? AF_INET6 : AF_INET, out.host.c_str(), addr) != 1) {
        return std::nullopt; // host names are refused: which address would be bound?
    }
    return out;
}

bool listen_address::loopback() const {
    if (unix_socket) {
        return true;
    }
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) != 1) {
        return false;
    }
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        return v6.s6_addr[12] == 127;
    }
    return IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string listen_address::to_string() const {
    if (unix_socket) {
        return "unix:" + path.string();
    }
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

} // namespace pgshift::daemon
