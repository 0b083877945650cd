// What the renderers share (render_parts.hpp).
#include "cli/render_parts.hpp"

#include <cstdio>

namespace pgshift::cli::detail {

std::string percent_text(double percent) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%", percent);
    return buf;
}
shown_progress shown(const progress_view& p) {
    if (p.estimated && p.estimated_bytes) {
        return {*p.estimated_bytes, p.estimated_percent, p.estimated_eta_seconds, "~"};
    }
    return {p.processed_bytes, p.percent, p.eta_seconds, ""};
}

std::optional<double> fraction_of(const progress_view& p) {
    const auto s = shown(p);
    if (s.percent) {
        return *s.percent / 100;
    }
    if (p.total_bytes && *p.total_bytes > 0) {
        return static_cast<double>(s.bytes) / static_cast<double>(*p.total_bytes);
    }
    return std::nullopt;
}

std::string waiting_text(const waiting_view& w) {
    std::string s = w.reason.empty() ? "the scheduler" : w.reason;
    if (w.place == 1) {
        s += " (next in line)";
    } else if (w.place > 1) {
        s += " (" + ordinal(w.place) + " in line)";
    }
    return w.detail.empty() ? s : s + ": " + w.detail;
}

std::optional<double> downtime_seconds(const downtime_view& d, clock_time now) {
    if (d.seconds) {
        return d.seconds;
    }
    if (const auto ended = parse_rfc3339(d.ended_at)) {
        return seconds_since(d.began_at, *ended);
    }
    if (now == clock_time{}) {
        return std::nullopt; // no clock given: not counted
    }
    return seconds_since(d.began_at, now);
}

std::string downtime_text(const downtime_view& d, clock_time now) {
    const auto seconds = downtime_seconds(d, now);
    if (d.in_maintenance) {
        std::string s = "in maintenance since " + format_time_of_day(d.began_at);
        return seconds ? s + " (" + format_clock(*seconds) + " so far)" : s;
    }
    std::string s = seconds ? format_clock(*seconds, true) : std::string("?");
    if (d.heroku_transfer_seconds && d.overhead_seconds) {
        return s + " (Heroku's capture + restore " +
               format_clock(*d.heroku_transfer_seconds, true) + ", pgshift's overhead " +
               format_clock(*d.overhead_seconds, true) + ")";
    }
    return s + " (" + format_time_of_day(d.began_at) + " to " + format_time_of_day(d.ended_at) +
           ")";
}

std::string state_with_flags(const upgrade_view& u) {
    std::string s = u.state;
    if (u.paused) {
        s += " (paused)";
    }
    if (u.needs_attention) {
        s += " (needs attention)";
    }
    return s;
}

} // namespace pgshift::cli::detail
