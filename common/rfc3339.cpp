// RFC 3339 timestamps: the one parser and formatter of every module (UTC, milliseconds).
#include "common/rfc3339.hpp"

#include <cstdio>

namespace pgshift {

namespace {

// A cursor over the text that reads fixed-width digit groups and literal characters.
struct reader {
    std::string_view text;
    std::size_t pos = 0;

    bool digits(std::size_t n, int& out) noexcept {
        if (pos + n > text.size()) {
            return false;
        }
        out = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const char c = text[pos + k];
            if (c < '0' || c > '9') {
                return false;
            }
            out = out * 10 + (c - '0');
        }
        pos += n;
        return true;
    }
    bool literal(char c) noexcept {
        if (pos < text.size() && text[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    }
    bool at_end() const noexcept { return pos == text.size(); }
};

// ".123456" -> 123 (milliseconds); a dot needs at least one digit after it.
bool read_fraction(reader& r, int& ms) noexcept {
    ms = 0;
    if (!r.literal('.')) {
        return true;
    }
    std::size_t count = 0;
    while (r.pos < r.text.size() && r.text[r.pos] >= '0' && r.text[r.pos] <= '9') {
        if (count < 3) {
            ms = ms * 10 + (r.text[r.pos] - '0');
        }
        ++count;
        ++r.pos;
    }
    for (std::size_t k = count; k < 3; ++k) {
        ms *= 10;
    }
    return count > 0;
}

// "Z" -> 0; "+02:00" -> +120 minutes east of UTC; Heroku's "+0200" too under time_form::heroku.
bool read_offset(reader& r, time_form form, int& minutes) noexcept {
    minutes = 0;
    if (r.literal('Z') || r.literal('z')) {
        return true;
    }
    int sign = 0;
    if (r.literal('+')) {
        sign = 1;
    } else if (r.literal('-')) {
        sign = -1;
    } else {
        return false;
    }
    int h = 0;
    int m = 0;
    const bool colon_optional = form == time_form::heroku;
    if (!r.digits(2, h) || !(r.literal(':') || colon_optional) || !r.digits(2, m) || h > 23 ||
        m > 59) {
        return false;
    }
    minutes = sign * (h * 60 + m);
    return true;
}

} // namespace

std::string format_rfc3339(time_point t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()),
                  int(hms.subseconds().count()));
    return buf;
}

std::optional<time_point> parse_rfc3339(std::string_view text, time_form form) noexcept {
    using namespace std::chrono;
    const bool heroku = form == time_form::heroku;
    reader r{text};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0, offset = 0;
    if (!r.digits(4, y) || !r.literal('-') || !r.digits(2, mo) || !r.literal('-') ||
        !r.digits(2, d) || !(r.literal('T') || r.literal('t') || (heroku && r.literal(' '))) ||
        !r.digits(2, h) || !r.literal(':') || !r.digits(2, mi) || !r.literal(':') ||
        !r.digits(2, s) || !read_fraction(r, ms)) {
        return std::nullopt;
    }
    if (heroku) {
        r.literal(' ');
    }
    if (!read_offset(r, form, offset) || !r.at_end()) {
        return std::nullopt;
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                             day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > (heroku ? 60 : 59)) {
        return std::nullopt;
    }
    return time_point{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms} -
           minutes{offset};
}

} // namespace pgshift
