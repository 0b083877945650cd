// History lines and the one-line answers of start, the control commands and watch's end.
#include "cli/render.hpp"
#include "cli/render_parts.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <utility>

namespace pgshift::cli {

using namespace detail;

std::string humanize_bytes(const std::string& text) {
    static constexpr std::string_view unit = " bytes";
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto at = text.find(unit, i);
        if (at == std::string::npos) {
            break;
        }
        // The digits right before " bytes", a whole number (not part of a word).
        std::size_t start = at;
        while (start > i && std::isdigit(static_cast<unsigned char>(text[start - 1])) != 0) {
            --start;
        }
        const bool whole =
            start < at &&
            (start == 0 || (std::isalnum(static_cast<unsigned char>(text[start - 1])) == 0 &&
                            text[start - 1] != '.'));
        const bool ends = at + unit.size() == text.size() ||
                          std::isalnum(static_cast<unsigned char>(text[at + unit.size()])) == 0;
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(text.data() + start, text.data() + at, n);
        if (whole && ends && ec == std::errc() && end == text.data() + at) {
            out.append(text, i, start - i);
            out += format_bytes(n);
        } else {
            out.append(text, i, at + unit.size() - i);
        }
        i = at + unit.size();
    }
    out.append(text, std::min(i, text.size()));
    return out;
}

std::string render_event(const event_view& e) {
    char type[32];
    std::snprintf(type, sizeof type, "%-16s", e.type.c_str());
    std::string line = format_time(e.at) + "  " + type;
    std::string transition;
    if (!e.from.empty() && e.from == e.to) {
        transition = e.to;
    } else if (!e.from.empty() || !e.to.empty()) {
        transition = e.from + "→" + e.to;
    }
    const std::string detail = humanize_bytes(e.detail);
    for (const std::string* part : {&std::as_const(transition), &detail}) {
        if (!part->empty()) {
            line += "  " + *part;
        }
    }
    while (!line.empty() && line.back() == ' ') {
        line.pop_back();
    }
    return line;
}

std::string render_started(const upgrade_view& u, bool created) {
    std::string summary = created ? "started: " : "already started (same Idempotency-Key): ";
    summary += u.app + " to " + u.plan;
    if (!u.version.empty()) {
        summary += " (Postgres " + u.version + ")";
    }
    summary += ", state " + state_with_flags(u) + "; follow it with: pgshift watch " + u.id;
    return u.id + "\n" + summary + "\n";
}

std::string render_command(const std::string& command, const upgrade_view& u, clock_time now) {
    const std::string verb = command == "resume" ? "resumed" : command + " requested";
    std::string out = verb + ": " + u.id + " (" + u.app + "), state " + state_with_flags(u) + "\n";
    if (command == "pause" && u.downtime && u.downtime->in_maintenance) {
        // A pause stops pgshift at the next step boundary, not the downtime.
        const auto seconds = downtime_seconds(*u.downtime, now);
        out += u.app + " stays in maintenance (down since " +
               format_time_of_day(u.downtime->began_at) +
               (seconds ? ", " + format_clock(*seconds) + " so far" : std::string{}) +
               ") until you run: pgshift resume -a " + u.app + "  (or pgshift cancel -a " + u.app +
               " to roll back)\n";
    }
    return out;
}

std::string render_outcome(const upgrade_view& u) {
    std::string line = "upgrade " + u.id + " (" + u.app + ") " + u.state;
    const auto created = parse_rfc3339(u.created_at);
    const auto finished = parse_rfc3339(u.finished_at);
    if (created && finished) {
        line += " after " +
                format_duration(std::chrono::duration<double>(*finished - *created).count());
    }
    if (u.state == "succeeded") {
        line += ": now on " + u.plan + (u.target_addon.empty() ? "" : " (" + u.target_addon + ")");
    } else if (!u.last_error.empty()) {
        line += ": " + u.last_error;
    }
    line += "\n";
    // The figure an operator reports the next morning.
    if (u.downtime && !u.downtime->in_maintenance) {
        line += describe_downtime(u.downtime, clock_time{}) + "\n";
    }
    return line;
}

} // namespace pgshift::cli
