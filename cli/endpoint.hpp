// Where pgshiftd's control API is: the --api value parsed (http://HOST[:PORT] or unix:PATH).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgshift::cli {

inline constexpr std::string_view default_api = "http://127.0.0.1:7432";
// Where the packaged pgshiftd listens: the default when that socket exists.
inline constexpr std::string_view packaged_socket = "/run/pgshift/api.sock";

struct api_endpoint {
    bool unix_socket = false;
    std::string host;        // TCP: a name, an IPv4 or an IPv6 address (no brackets)
    std::uint16_t port = 0;  // TCP
    std::string socket_path; // unix socket
    std::string base_path;   // "" or "/prefix" (no trailing slash), put before every route
    std::string text;        // as the operator gave it, for messages
};

// Accepts "http://HOST[:PORT][/PREFIX]", "HOST:PORT" (http assumed) and "unix:PATH".
// nullopt with `error` set when the value names no address pgshift can use (https included:
// the control API is local plain HTTP).
std::optional<api_endpoint> parse_endpoint(std::string_view text, std::string& error);

} // namespace pgshift::cli
