// Bearer-token checks for the control API. Pure.
#pragma once

#include "api/http_types.hpp"

#include <string_view>

namespace pgshift::api {

// Compares in time that depends only on the lengths, not on where the texts differ.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

// True when req carries "Authorization: Bearer <token>" (scheme case-insensitive).
bool bearer_matches(const http::request& req, std::string_view token) noexcept;

} // namespace pgshift::api
