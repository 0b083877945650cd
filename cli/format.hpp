// Pure text formatting for the CLI: bytes, durations, times, ages and progress bars.
#pragma once

#include "common/rfc3339.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgshift::cli {

// The control API's times, read with pgshift::parse_rfc3339 (common/rfc3339.hpp).
using clock_time = time_point;

// Binary units with one decimal: "0 B", "1023 B", "1.0 KiB", "70.0 MiB", "1.5 GiB".
std::string format_bytes(std::int64_t bytes);

// "0.4s", "9.3s" (under 10 s), "42s", "1m 33s", "2h 05m", "3d 04h"; negatives read as 0.
std::string format_duration(double seconds);

// A stopwatch, cut not rounded: "0:07", "3:41", "1:02:03"; with tenths "0:23.4". Negatives
// keep their sign ("-0:00.6": Heroku's whole-second times can exceed a short downtime).
std::string format_clock(double seconds, bool tenths = false);

// The time of day of an RFC 3339 time, UTC: "02:00:13Z"; its input when it does not parse.
std::string format_time_of_day(std::string_view rfc3339);

// "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", …
std::string ordinal(int n);

// "2026-11-26 03:12:09Z" (UTC, seconds). format_time(string) returns its input unchanged
// when it does not parse, and "-" for "".
std::string format_time(clock_time t);
std::string format_time(std::string_view rfc3339);

// How long before `now`: "just now" (under 1 s), "12s ago", "5m ago", "3h ago", "2d ago";
// "-" when the time is empty or does not parse.
std::string format_age(std::string_view rfc3339, clock_time now);

// Seconds from `from` to `now`; nullopt when `from` does not parse.
std::optional<double> seconds_since(std::string_view rfc3339, clock_time now);

// "[#########-----------]" of exactly `width` characters (at least 3); fraction clamped to
// [0, 1]; an unknown fraction draws an empty bar.
std::string progress_bar(std::optional<double> fraction, int width);

// The first 8 characters of an upgrade id, as `list` shows it.
std::string short_id(std::string_view id);

} // namespace pgshift::cli
