// Timestamps as Heroku writes them, to compare with pgshift's own clock.
#include "daemon/heroku_time.hpp"

#include <charconv>

namespace pgshift::daemon {
namespace {

bool number(std::string_view s, std::size_t at, std::size_t len, int& out) {
    if (at + len > s.size()) {
        return false;
    }
    auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + len, out);
    return ec == std::errc() && p == s.data() + at + len;
}

} // namespace

std::optional<time_point> parse_heroku_time(std::string_view s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':' || !number(s, 0, 4, y) || !number(s, 5, 2, mo) ||
        !number(s, 8, 2, d) || !number(s, 11, 2, h) || !number(s, 14, 2, mi) ||
        !number(s, 17, 2, sec)) {
        return std::nullopt;
    }
    std::size_t i = 19;
    int millis = 0;
    if (i < s.size() && s[i] == '.') {
        std::size_t start = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (i - start < 3) {
                millis = millis * 10 + (s[i] - '0');
            }
            ++i;
        }
        for (std::size_t k = i - start; k < 3; ++k) {
            millis *= 10;
        }
    }
    while (i < s.size() && s[i] == ' ') {
        ++i;
    }
    int offset_minutes = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int oh = 0, om = 0;
        bool colon = i + 3 < s.size() && s[i + 3] == ':';
        if (!number(s, i + 1, 2, oh) || !number(s, i + (colon ? 4 : 3), 2, om)) {
            return std::nullopt;
        }
        offset_minutes = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
        i += colon ? 6 : 5;
    } else if (i < s.size() && s[i] == 'Z') {
        ++i;
    }
    if (i != s.size()) {
        return std::nullopt;
    }
    std::chrono::year_month_day ymd{std::chrono::year(y),
                                    std::chrono::month(static_cast<unsigned>(mo)),
                                    std::chrono::day(static_cast<unsigned>(d))};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
        return std::nullopt;
    }
    auto t = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
             std::chrono::seconds(sec) + std::chrono::milliseconds(millis) -
             std::chrono::minutes(offset_minutes);
    return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

} // namespace pgshift::daemon
