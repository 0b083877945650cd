// Pure text formatting for the CLI: bytes, durations, times, ages and progress bars.
#include "cli/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pgshift::cli {
namespace {

std::string printf_string(const char* fmt, double a, double b = 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, a, b);
    return buf;
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

std::string format_clock(double seconds, bool tenths) {
    if (!std::isfinite(seconds)) {
        seconds = 0;
    }
    const bool negative = seconds < 0;
    // Whole tenths (or seconds) first, cut as a stopwatch does (3:41.9 reads 3:41); the
    // epsilon keeps 23.4 (23.39999… in binary) from reading 0:23.3.
    const auto units =
        static_cast<long long>(std::floor(std::fabs(seconds) * (tenths ? 10 : 1) + 1e-6));
    const auto whole = tenths ? units / 10 : units;
    char buf[48];
    if (whole >= 3600) {
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(whole / 3600),
                      static_cast<long long>(whole % 3600 / 60),
                      static_cast<long long>(whole % 60));
    } else {
        std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(whole / 60),
                      static_cast<long long>(whole % 60));
    }
    std::string out = negative && units != 0 ? "-" : "";
    out += buf;
    if (tenths) {
        out += "." + std::to_string(units % 10);
    }
    return out;
}

std::string format_time_of_day(std::string_view rfc3339) {
    const auto t = parse_rfc3339(rfc3339);
    if (!t) {
        return std::string(rfc3339);
    }
    return format_time(*t).substr(11); // "2026-11-26 02:00:13Z" -> "02:00:13Z"
}

std::string ordinal(int n) {
    const int tens = n % 100;
    const char* suffix = "th";
    if (tens < 11 || tens > 13) {
        switch (n % 10) {
        case 1:
            suffix = "st";
            break;
        case 2:
            suffix = "nd";
            break;
        case 3:
            suffix = "rd";
            break;
        }
    }
    return std::to_string(n) + suffix;
}

std::string format_time(clock_time t) {
    // The RFC 3339 text to the second, with a space for the 'T' to read easier:
    // "2026-11-26T03:12:09.000Z" -> "2026-11-26 03:12:09Z".
    auto text = format_rfc3339(std::chrono::floor<std::chrono::seconds>(t));
    text[10] = ' ';
    return text.erase(19, 4);
}

std::string format_time(std::string_view rfc3339) {
    if (rfc3339.empty()) {
        return "-";
    }
    const auto t = parse_rfc3339(rfc3339);
    return t ? format_time(*t) : std::string(rfc3339);
}

std::optional<double> seconds_since(std::string_view rfc3339, clock_time now) {
    const auto t = parse_rfc3339(rfc3339);
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
