// RFC 3339 timestamps as the control API reads and writes them (UTC, milliseconds).
#pragma once

#include "statemachine/upgrade.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pgshift::api {

// "2026-11-26T03:12:09.120Z": always UTC, always three fraction digits.
std::string format_rfc3339(time_point t);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" (RFC 3339 §5.6; 't'/'z' accepted in
// lower case). Fraction digits beyond milliseconds are truncated. nullopt when the text is
// not that shape or names no real date or time; leap seconds (":60") are refused, since
// nothing downstream can represent them.
std::optional<time_point> parse_rfc3339(std::string_view text) noexcept;

} // namespace pgshift::api
