// Pure text formatting for the CLI: bytes, durations, times, ages and progress bars.
#include "cli/format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace pgshift::cli {
namespace {

std::string printf_string(const char* fmt, double a, double b = 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, a, b);
    return buf;
}

// Parses exactly `digits` decimal digits at text[pos].
bool read_digits(std::string_view text, std::size_t pos, std::size_t digits, int& out) {
    if (pos + digits > text.size()) {
        return false;
    }
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + digits, out);
    return ec == std::errc() && end == text.data() + pos + digits;
}

} // namespace

std::string format_bytes(std::int64_t bytes) {
    if (bytes < 1024) {
        return std::to_string(std::max<std::int64_t>(bytes, 0)) + " B";
    }
    static constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = static_cast<double>(bytes) / 1024;
    std::size_t unit = 0;
    while (value >= 1023.95 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    return printf_string("%.1f ", value) + units[unit];
}

std::string format_duration(double seconds) {
    if (!(seconds > 0)) {
        seconds = 0;
    }
    if (seconds < 9.95) {
        return printf_string("%.1fs", seconds);
    }
    const auto s = static_cast<std::int64_t>(std::llround(seconds));
    if (s < 60) {
        return std::to_string(s) + "s";
    }
    if (s < 3600) {
        return printf_string("%.0fm %02.0fs", static_cast<double>(s / 60),
                             static_cast<double>(s % 60));
    }
    if (s < 86400) {
        return printf_string("%.0fh %02.0fm", static_cast<double>(s / 3600),
                             static_cast<double>(s % 3600 / 60));
    }
    return printf_string("%.0fd %02.0fh", static_cast<double>(s / 86400),
                         static_cast<double>(s % 86400 / 3600));
}

std::optional<clock_time> parse_time(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (text.size() < 20 || !read_digits(text, 0, 4, y) || text[4] != '-' ||
        !read_digits(text, 5, 2, mo) || text[7] != '-' || !read_digits(text, 8, 2, d) ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !read_digits(text, 11, 2, h) ||
        text[13] != ':' || !read_digits(text, 14, 2, mi) || text[16] != ':' ||
        !read_digits(text, 17, 2, s)) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    int millis = 0;
    if (text[pos] == '.') {
        int scale = 100;
        for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
        }
    }
    int offset_minutes = 0;
    const auto zone = text.substr(std::min(pos, text.size()));
    if (zone == "Z" || zone == "z") {
        offset_minutes = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        int oh = 0, om = 0;
        if (!read_digits(zone, 1, 2, oh) || !read_digits(zone, 4, 2, om)) {
            return std::nullopt;
        }
        offset_minutes = (zone[0] == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                           std::chrono::day(unsigned(d))};
    if (!date.ok() || h > 23 || mi > 59 || s > 60) {
        return std::nullopt;
    }
    using namespace std::chrono;
    return clock_time(sys_days(date)) + hours(h) + minutes(mi - offset_minutes) + seconds(s) +
           milliseconds(millis);
}

std::string format_time(clock_time t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day date{day};
    const hh_mm_ss clock{floor<seconds>(t - day)};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02dZ", int(date.year()),
                  unsigned(date.month()), unsigned(date.day()), int(clock.hours().count()),
                  int(clock.minutes().count()), int(clock.seconds().count()));
    return buf;
}

std::string format_time(std::string_view rfc3339) {
    if (rfc3339.empty()) {
        return "-";
    }
    const auto t = parse_time(rfc3339);
    return t ? format_time(*t) : std::string(rfc3339);
}

std::optional<double> seconds_since(std::string_view rfc3339, clock_time now) {
    const auto t = parse_time(rfc3339);
    if (!t) {
        return std::nullopt;
    }
    return std::chrono::duration<double>(now - *t).count();
}

std::string format_age(std::string_view rfc3339, clock_time now) {
    const auto elapsed = seconds_since(rfc3339, now);
    if (!elapsed) {
        return "-";
    }
    const auto s = static_cast<std::int64_t>(std::max(*elapsed, 0.0));
    if (s < 1) {
        return "just now";
    }
    if (s < 60) {
        return std::to_string(s) + "s ago";
    }
    if (s < 3600) {
        return std::to_string(s / 60) + "m ago";
    }
    if (s < 86400) {
        return std::to_string(s / 3600) + "h ago";
    }
    return std::to_string(s / 86400) + "d ago";
}

std::string progress_bar(std::optional<double> fraction, int width) {
    const int inner = std::max(width, 3) - 2;
    int filled = 0;
    if (fraction) {
        filled = static_cast<int>(std::clamp(*fraction, 0.0, 1.0) * inner);
    }
    return "[" + std::string(std::size_t(filled), '#') +
           std::string(std::size_t(inner - filled), '-') + "]";
}

std::string short_id(std::string_view id) {
    return std::string(id.substr(0, 8));
}

} // namespace pgshift::cli
