// Bearer-token checks for the control API. Pure.
#include "api/control_auth.hpp"

#include <cstddef>

namespace pgshift::api {

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    // Always walk the expected length, folding every difference into one accumulator, so
    // neither an early exit nor the first differing byte shows in the timing.
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < b.size(); ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ static_cast<unsigned char>(b[i]));
    }
    return diff == 0;
}

bool bearer_matches(const http::request& req, std::string_view token) noexcept {
    const auto value = req.header_value("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (!value || value->size() < scheme.size() ||
        !http::iequals(value->substr(0, scheme.size()), scheme)) {
        return false;
    }
    auto presented = value->substr(scheme.size());
    while (!presented.empty() && presented.front() == ' ') {
        presented.remove_prefix(1);
    }
    return !token.empty() && constant_time_equals(presented, token);
}

} // namespace pgshift::api
