// Base URL parsing and path-segment encoding for the Heroku client.
#include "heroku/url.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace pgshift::heroku {

std::string base_url::host_header() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    const bool default_port = (tls && port == "443") || (!tls && port == "80");
    return default_port ? h : h + ":" + port;
}

std::string base_url::origin() const {
    const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return (tls ? "https://" : "http://") + h + ":" + port;
}

namespace {

bool valid_port(std::string_view p) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    return ec == std::errc{} && end == p.data() + p.size() && value > 0 && value <= 65535;
}

// Splits "host[:port]" or "[v6][:port]"; false when malformed.
bool split_authority(std::string_view auth, base_url& out) {
    std::string_view port;
    if (!auth.empty() && auth.front() == '[') {
        const auto close = auth.find(']');
        if (close == std::string_view::npos) {
            return false;
        }
        out.host = std::string(auth.substr(1, close - 1));
        const auto rest = auth.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') {
            return false;
        }
        port = rest.empty() ? rest : rest.substr(1);
        if (!is_ip_literal(out.host)) {
            return false;
        }
    } else {
        const auto colon = auth.find(':');
        out.host = std::string(auth.substr(0, colon));
        port = colon == std::string_view::npos ? std::string_view{} : auth.substr(colon + 1);
        if (colon != std::string_view::npos && port.empty()) {
            return false;
        }
    }
    if (out.host.empty() || out.host.find_first_of("@ /?#") != std::string::npos) {
        return false;
    }
    if (!port.empty() && !valid_port(port)) {
        return false;
    }
    out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
    return true;
}

} // namespace

std::optional<base_url> parse_base_url(std::string_view text) {
    base_url out;
    if (text.starts_with("https://")) {
        text.remove_prefix(8);
    } else if (text.starts_with("http://")) {
        out.tls = false;
        text.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    if (text.find_first_of("?#") != std::string_view::npos) {
        return std::nullopt;
    }
    const auto slash = text.find('/');
    if (!split_authority(text.substr(0, slash), out)) {
        return std::nullopt;
    }
    if (slash != std::string_view::npos) {
        std::string_view prefix = text.substr(slash);
        while (!prefix.empty() && prefix.back() == '/') {
            prefix.remove_suffix(1);
        }
        out.path_prefix = std::string(prefix);
    }
    return out;
}

std::string encode_segment(std::string_view segment) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(segment.size());
    for (const char ch : segment) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}

bool is_ip_literal(std::string_view host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(std::string(host), ec);
    return !ec;
}

} // namespace pgshift::heroku
