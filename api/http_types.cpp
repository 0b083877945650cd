// Request lookups and response factories for the plain HTTP value types.
#include "api/http_types.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace pgshift::http {

namespace {

char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

std::optional<std::string_view> request::header_value(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.name, name)) {
            return h.value;
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> request::query_value(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) {
            return value;
        }
    }
    return std::nullopt;
}

response response::json(int status, std::string body) {
    response r;
    r.status = status;
    r.body = std::move(body);
    r.headers.push_back({"Content-Type", "application/json"});
    return r;
}

response response::error(int status, std::string_view id, std::string_view message) {
    // Replace, not throw, on invalid UTF-8: an error body must always be producible.
    const nlohmann::json body{{"id", id}, {"message", message}};
    return json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

response& response::with_header(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
    return *this;
}

} // namespace pgshift::http
