// RFC 3339 timestamps: the one parser and formatter of every module (UTC, milliseconds).
#pragma once

#include "common/time.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pgshift {

// Which spellings parse_rfc3339 accepts.
enum class time_form {
    // RFC 3339 §5.6 exactly, "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" ('t' and 'z' in lower
    // case too): what the control API takes from its clients. A leap second (":60") is
    // refused: nothing downstream can represent it.
    rfc3339,
    // Also what Heroku writes besides RFC 3339: the Data API's "2016-10-07 16:54:35 +0000" (a
    // space for the 'T', a space before the offset, an offset without its colon). A leap
    // second reads as the next second, as POSIX clocks count it, so Heroku's answer is never
    // refused for one.
    heroku,
};

// "2026-11-26T03:12:09.120Z": always UTC, always three fraction digits.
std::string format_rfc3339(time_point t);

// The instant `text` names, in UTC. Fraction digits beyond milliseconds are truncated. nullopt
// when the text is not of `form` or names no real date or time (2023-02-29, 24:00).
std::optional<time_point> parse_rfc3339(std::string_view text,
                                        time_form form = time_form::rfc3339) noexcept;

} // namespace pgshift
