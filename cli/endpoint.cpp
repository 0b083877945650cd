// Parsing the --api value.
#include "cli/endpoint.hpp"

#include <charconv>

namespace pgshift::cli {
namespace {

bool parse_port(std::string_view text, std::uint16_t& port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
        value > 65535) {
        return false;
    }
    port = static_cast<std::uint16_t>(value);
    return true;
}

// HOST[:PORT] or [IPV6][:PORT]; false when malformed.
bool parse_authority(std::string_view authority, api_endpoint& ep) {
    std::string_view port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return false;
        }
        ep.host = std::string(authority.substr(1, close - 1));
        const auto rest = authority.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) {
            return false;
        }
        port_text = rest.empty() ? std::string_view{} : rest.substr(1);
        if (!rest.empty() && port_text.empty()) {
            return false;
        }
    } else {
        const auto colon = authority.rfind(':');
        ep.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty() || ep.host.find(':') != std::string::npos) {
                return false;
            }
        }
    }
    if (ep.host.empty()) {
        return false;
    }
    return port_text.empty() || parse_port(port_text, ep.port);
}

} // namespace

std::optional<api_endpoint> parse_endpoint(std::string_view text, std::string& error) {
    api_endpoint ep;
    ep.text = std::string(text);
    if (text.starts_with("unix:")) {
        ep.unix_socket = true;
        ep.socket_path = std::string(text.substr(5));
        if (ep.socket_path.empty()) {
            error = "--api unix: needs a socket path, e.g. unix:/run/pgshift/api.sock";
            return std::nullopt;
        }
        return ep;
    }
    if (text.starts_with("https://")) {
        error = "--api " + ep.text + ": https is not supported, pgshiftd serves plain HTTP";
        return std::nullopt;
    }
    std::string_view rest = text;
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
        ep.port = 80;
    } else if (rest.find("://") != std::string_view::npos) {
        error = "--api " + ep.text + ": use http://HOST:PORT or unix:PATH";
        return std::nullopt;
    }
    const auto slash = rest.find('/');
    const auto authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        ep.base_path = std::string(rest.substr(slash));
        while (ep.base_path.ends_with('/')) {
            ep.base_path.pop_back();
        }
    }
    if (!parse_authority(authority, ep) || ep.port == 0 ||
        ep.base_path.find_first_of("?#") != std::string::npos) {
        error = "--api " + ep.text + ": use http://HOST:PORT or unix:PATH";
        return std::nullopt;
    }
    return ep;
}

} // namespace pgshift::cli
