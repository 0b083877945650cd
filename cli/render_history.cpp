// History lines and the one-line answers of start, the control commands and watch's end.
#include "cli/render.hpp"
#include "cli/render_parts.hpp"

#include <cstdio>
#include <utility>

namespace pgshift::cli {

using namespace detail;

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
    for (const std::string* part : {&std::as_const(transition), &e.detail}) {
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

std::string render_command(const std::string& command, const upgrade_view& u) {
    const std::string verb = command == "resume" ? "resumed" : command + " requested";
    return verb + ": " + u.id + " (" + u.app + "), state " + state_with_flags(u) + "\n";
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
