// Identifiers and spellings: UUIDs, add-on names, attachment colours, ISO-8601 times.
#pragma once

#include "emulator/model.hpp"

#include <string>
#include <string_view>

namespace pgshift::emulator {

std::string make_uuid();
bool looks_like_uuid(std::string_view s) noexcept;

// "postgresql-curved-12345", as Heroku names add-ons.
std::string make_addon_name();

// HEROKU_POSTGRESQL_<COLOR> for the n-th colour; cycles with a numeric suffix past the palette.
std::string attachment_color_name(std::size_t n);

// "2024-05-01T12:00:00Z"
std::string iso8601(time_point t);

} // namespace pgshift::emulator
