// Timestamps as Heroku writes them, to compare with pgshift's own clock.
#pragma once

#include "statemachine/upgrade.hpp"

#include <optional>
#include <string_view>

namespace pgshift::daemon {

// Parses "2016-10-07T16:54:35Z" (Platform API) and "2016-10-07 16:54:35 +0000" (Data API),
// with optional fractional seconds and a ±HH:MM or ±HHMM offset. nullopt when malformed.
std::optional<time_point> parse_heroku_time(std::string_view text);

} // namespace pgshift::daemon
