// Unit tests of the one RFC 3339 parser and formatter (what api/, cli/ and daemon/ each had).
#include "common/rfc3339.hpp"

#include <gtest/gtest.h>

namespace pgshift {
namespace {

using std::chrono::milliseconds;

// 2026-11-26T03:12:09.120Z
constexpr time_point sample{milliseconds(1'795'662'729'120)};

TEST(rfc3339, formats_utc_with_milliseconds) {
    EXPECT_EQ(format_rfc3339(sample), "2026-11-26T03:12:09.120Z");
    EXPECT_EQ(format_rfc3339(time_point{}), "1970-01-01T00:00:00.000Z");
    // Before the epoch the day still starts at midnight: floor, not truncation toward zero.
    EXPECT_EQ(format_rfc3339(time_point{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
}

TEST(rfc3339, parses_what_it_formats) {
    for (const auto t : {sample, time_point{}, time_point{milliseconds(-1)},
                         time_point{milliseconds(951'782'400'000)}}) { // 2000-02-29
        EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t) << format_rfc3339(t);
    }
}

TEST(rfc3339, parses_offsets_and_fractions_as_utc) {
    EXPECT_EQ(parse_rfc3339("2026-11-26T03:12:09.120Z"), sample);
    EXPECT_EQ(parse_rfc3339("2026-11-26t04:12:09.1204+01:00"), sample); // digits past ms cut
    EXPECT_EQ(parse_rfc3339("2026-11-26T05:12:09.12+02:00"), sample);
    EXPECT_EQ(parse_rfc3339("2026-11-25T23:42:09.120-03:30"), sample);
    EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00z"), parse_rfc3339("2024-02-28T16:00:00-08:00"));
    EXPECT_EQ(*parse_rfc3339("2026-11-26T03:12:09.120Z") - *parse_rfc3339("2026-11-26T03:12:09Z"),
              milliseconds(120));
}

TEST(rfc3339, parses_herokus_timestamps) {
    // The Platform API: RFC 3339 in UTC, whole seconds or milliseconds, "Z" or "+00:00".
    const time_point noon{milliseconds(1'325'419'200'000)}; // 2012-01-01T12:00:00Z
    for (const auto form : {time_form::rfc3339, time_form::heroku}) {
        EXPECT_EQ(parse_rfc3339("2012-01-01T12:00:00Z", form), noon);
        EXPECT_EQ(parse_rfc3339("2012-01-01T12:00:00+00:00", form), noon);
        EXPECT_EQ(parse_rfc3339("2024-05-01T10:00:00.123Z", form),
                  time_point{milliseconds(1'714'557'600'123)});
    }
    // The Data API's transfers: a space for the 'T' and before an offset without its colon.
    EXPECT_EQ(parse_rfc3339("2012-01-01 12:00:00 +0000", time_form::heroku), noon);
    EXPECT_EQ(parse_rfc3339("2012-01-01 07:00:00 -0500", time_form::heroku), noon);
    EXPECT_EQ(parse_rfc3339("2012-01-01 12:00:00.250 +0000", time_form::heroku),
              noon + milliseconds(250));
    EXPECT_EQ(parse_rfc3339("2012-01-01 12:00:00+00:00", time_form::heroku), noon);
    EXPECT_EQ(parse_rfc3339("2012-01-01 12:00:00Z", time_form::heroku), noon);
    // A leap second is never a reason to refuse Heroku's answer: it reads as the next second.
    EXPECT_EQ(parse_rfc3339("2016-12-31 23:59:60 +0000", time_form::heroku),
              parse_rfc3339("2017-01-01T00:00:00Z"));
}

TEST(rfc3339, strict_form_refuses_herokus_other_spellings) {
    for (auto text : {"2012-01-01 12:00:00 +0000", "2012-01-01 12:00:00Z", "2012-01-01T12:00:00 Z",
                      "2012-01-01T12:00:00+0000", "2016-12-31T23:59:60Z"}) {
        EXPECT_FALSE(parse_rfc3339(text)) << text;
        EXPECT_FALSE(parse_rfc3339(text, time_form::rfc3339)) << text;
    }
}

TEST(rfc3339, refuses_nonsense_in_either_form) {
    for (const auto form : {time_form::rfc3339, time_form::heroku}) {
        for (auto bad : {"2023-02-29T00:00:00Z",
                         "2026-13-01T00:00:00Z",
                         "2026-00-01T00:00:00Z",
                         "2026-11-00T00:00:00Z",
                         "2026-11-26T24:00:00Z",
                         "2026-11-26T03:60:00Z",
                         "2026-11-26T03:12:61Z",
                         "2026-11-26T03:12:09",
                         "2026-11-26 03:12:09",
                         "2026-11-26T03:12:09.Z",
                         "2026-11-26T03:12:09Zx",
                         "2026-11-26T03:12:09Z ",
                         "2026-11-26T03:12:09+01",
                         "2026-11-26T03:12:09+24:00",
                         "2026-11-26T03:12:09+01:60",
                         "2026-11-26T03:12:09+1:00",
                         "26-11-26T03:12:09Z",
                         "2026-1-26T03:12:09Z",
                         "2026-11-26T3:12:09Z",
                         "2026-11-26X03:12:09Z",
                         "2026-11-26  03:12:09 +0000",
                         "2026-11-26T03:12:09  +0000",
                         "+026-11-26T03:12:09Z",
                         "yesterday",
                         ""}) {
            EXPECT_FALSE(parse_rfc3339(bad, form)) << bad;
        }
    }
}

} // namespace
} // namespace pgshift
