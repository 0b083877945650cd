// Base URLs of the two Heroku APIs ("https://api.heroku.com", "http://127.0.0.1:8080/x").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgshift::heroku {

struct base_url {
    bool tls = true;         // https
    std::string host;        // "api.heroku.com", "127.0.0.1", "::1" (no brackets)
    std::string port;        // always set: "443", "80" or the explicit one
    std::string path_prefix; // "" or "/x" (no trailing slash); prepended to every path

    // The Host header value: the host (bracketed if IPv6), plus ":port" when not the default.
    std::string host_header() const;
    // "https://host:port": one keep-alive pool per origin.
    std::string origin() const;
};

// Parses "http(s)://host[:port][/prefix]". nullopt for another scheme, an empty host, a bad
// port, user info, a query or fragment: all configuration mistakes the caller reports.
std::optional<base_url> parse_base_url(std::string_view text);

// Percent-encodes one path segment (app or add-on name, id) so it cannot add segments.
std::string encode_segment(std::string_view segment);

// True when host is an IPv4 or IPv6 literal (such hosts get no SNI, RFC 6066 §3).
bool is_ip_literal(std::string_view host);

} // namespace pgshift::heroku
