// The tables: `list` and `status`.
#include "cli/render.hpp"
#include "cli/render_parts.hpp"

#include <algorithm>
#include <cstdio>

namespace pgshift::cli {
namespace {

using namespace detail;

// A finished upgrade's progress is its outcome: the API keeps the last transfer's figures
// (0 B once the step moved on), which would read as nothing copied.
std::string list_progress(const upgrade_view& u) {
    if (is_terminal_state(u.state)) {
        return u.state == "succeeded" ? "100%" : "-";
    }
    if (!u.progress) {
        return "-";
    }
    const auto s = shown(*u.progress);
    if (const auto f = fraction_of(*u.progress)) {
        return s.mark + std::to_string(static_cast<int>(*f * 100)) + "%";
    }
    return s.mark + format_bytes(s.bytes);
}

// "down 3:41" while in maintenance, "0:23.4" once out of it, "-" before.
std::string list_downtime(const upgrade_view& u, clock_time now) {
    if (!u.downtime) {
        return "-";
    }
    const auto seconds = downtime_seconds(*u.downtime, now);
    if (!seconds) {
        return "?";
    }
    return u.downtime->in_maintenance ? "down " + format_clock(*seconds)
                                      : format_clock(*seconds, true);
}

// The state, and why the scheduler holds it back: "provisioning (waiting: budget, 3rd)".
std::string list_state(const upgrade_view& u) {
    std::string s = state_with_flags(u);
    if (u.waiting) {
        s += " (waiting: " + (u.waiting->reason.empty() ? "scheduler" : u.waiting->reason);
        s += u.waiting->place > 0 ? ", " + ordinal(u.waiting->place) + ")" : ")";
    }
    return s;
}

void add_line(std::string& out, const char* label, const std::string& value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%-12s", label);
    out += buf + value + "\n";
}

std::string step_text(const upgrade_view& u, clock_time now) {
    std::string s = u.state;
    if (u.attempt > 1) {
        s += ", attempt " + std::to_string(u.attempt);
    }
    if (const auto in_step = seconds_since(u.step_started_at, now)) {
        s += ", for " + format_duration(*in_step);
    }
    return s;
}

std::string timing_lines(const upgrade_view& u, clock_time now) {
    std::string out;
    for (const auto& t : u.timings) {
        char step[32];
        std::snprintf(step, sizeof step, "  %-22s", t.step.c_str());
        if (t.seconds) {
            out += step + format_duration(*t.seconds) + "\n";
        } else if (const auto running = seconds_since(t.started_at, now)) {
            out += step + format_duration(*running) + " (running)\n";
        } else {
            out += step + std::string("running\n");
        }
    }
    return out;
}

std::string formation_text(const upgrade_view& u) {
    if (u.formation.empty()) {
        return "-";
    }
    std::string s;
    for (const auto& [type, quantity] : u.formation) {
        s += (s.empty() ? "" : " ") + type + "=" + std::to_string(quantity);
    }
    return s;
}

std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : s;
}

} // namespace

std::string render_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(widths[i] - row[i].size() + 2, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + "\n";
    }
    return out;
}

std::string render_list(const std::vector<upgrade_view>& upgrades, clock_time now) {
    if (upgrades.empty()) {
        return "no upgrades\n";
    }
    std::vector<std::vector<std::string>> rows{
        {"ID", "APP", "PLAN", "STATE", "PROGRESS", "DOWNTIME", "UPDATED"}};
    for (const auto& u : upgrades) {
        // The full id: every command takes it (a short one would not resolve).
        rows.push_back({u.id, u.app, u.plan, list_state(u), list_progress(u), list_downtime(u, now),
                        format_age(u.updated_at, now)});
    }
    return render_table(rows);
}

std::string render_status(const upgrade_view& u, clock_time now) {
    std::string out;
    add_line(out, "upgrade", u.id);
    add_line(out, "app", u.app);
    add_line(out, "plan", u.plan + (u.version.empty() ? "" : ", Postgres " + u.version));
    add_line(out, "state", u.state);
    if (u.paused) {
        add_line(out, "paused", "yes");
    }
    if (u.needs_attention) {
        add_line(out, "attention", "needs attention");
    }
    if (!is_terminal_state(u.state)) {
        add_line(out, "step", step_text(u, now));
    }
    if (u.waiting) {
        add_line(out, "waiting", waiting_text(*u.waiting));
    }
    if (u.downtime) {
        add_line(out, "downtime", downtime_text(*u.downtime, now));
    }
    if (!is_terminal_state(u.state)) { // finished: nothing is in progress (never "0 B")
        add_line(out, "progress", or_dash(describe_progress(u.progress)));
    }
    add_line(out, "formation", formation_text(u));
    add_line(out, "source", or_dash(u.source_addon));
    add_line(out, "target", or_dash(u.target_addon));
    add_line(out, "created", format_time(u.created_at));
    add_line(out, "updated",
             format_time(u.updated_at) + " (" + format_age(u.updated_at, now) + ")");
    if (!u.finished_at.empty()) {
        add_line(out, "finished", format_time(u.finished_at));
    }
    add_line(out, "last error", or_dash(u.last_error));
    if (!u.timings.empty()) {
        out += "timings\n" + timing_lines(u, now);
    }
    return out;
}

} // namespace pgshift::cli
