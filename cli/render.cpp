// Pure rendering of upgrades and events as the human-readable text the CLI prints.
#include "cli/render.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace pgshift::cli {
namespace {

std::string percent_text(double percent) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%", percent);
    return buf;
}

std::optional<double> fraction_of(const progress_view& p) {
    if (p.percent) {
        return *p.percent / 100;
    }
    if (p.total_bytes && *p.total_bytes > 0) {
        return static_cast<double>(p.processed_bytes) / static_cast<double>(*p.total_bytes);
    }
    return std::nullopt;
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

std::string list_progress(const upgrade_view& u) {
    if (!u.progress) {
        return u.state == "succeeded" ? "100%" : "-";
    }
    if (const auto f = fraction_of(*u.progress)) {
        return std::to_string(static_cast<int>(*f * 100)) + "%";
    }
    return format_bytes(u.progress->processed_bytes);
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
        {"ID", "APP", "PLAN", "STATE", "PROGRESS", "UPDATED"}};
    for (const auto& u : upgrades) {
        // The full id: every command takes it (a short one would not resolve).
        rows.push_back({u.id, u.app, u.plan, state_with_flags(u), list_progress(u),
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
    add_line(out, "progress", or_dash(describe_progress(u.progress)));
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

std::string describe_progress(const std::optional<progress_view>& p) {
    if (!p) {
        return {};
    }
    std::string s = format_bytes(p->processed_bytes);
    if (p->total_bytes) {
        s += " / " + format_bytes(*p->total_bytes);
    }
    if (const auto f = fraction_of(*p)) {
        s += "  " + percent_text(*f * 100);
    }
    if (p->eta_seconds) {
        s += "  ETA " + format_duration(static_cast<double>(*p->eta_seconds));
    }
    if (!p->message.empty()) {
        s += "  (" + p->message + ")";
    }
    return s;
}

std::string render_progress_line(const upgrade_view& u, clock_time now, int width) {
    const auto limit = static_cast<std::size_t>(std::max(width, 20) - 1);
    std::string line;
    if (u.progress && !is_terminal_state(u.state)) {
        const auto& p = *u.progress;
        const auto f = fraction_of(p);
        std::string tail = f ? "  " + percent_text(*f * 100) : std::string{};
        tail += "  " + format_bytes(p.processed_bytes);
        if (p.total_bytes) {
            tail += " / " + format_bytes(*p.total_bytes);
        }
        if (p.eta_seconds) {
            tail += "  ETA " + format_duration(static_cast<double>(*p.eta_seconds));
        }
        const auto head = state_with_flags(u) + "  ";
        const int room = static_cast<int>(limit) - static_cast<int>(head.size() + tail.size());
        line = head + progress_bar(f, std::clamp(room, 10, 40)) + tail;
    } else {
        line = state_with_flags(u);
        if (!is_terminal_state(u.state)) {
            if (u.attempt > 1) {
                line += "  attempt " + std::to_string(u.attempt);
            }
            if (const auto in_step = seconds_since(u.step_started_at, now)) {
                line += "  " + format_duration(*in_step);
            }
        }
    }
    return line.substr(0, limit);
}

std::string render_progress_plain(const upgrade_view& u, clock_time now) {
    std::string line = format_time(now) + "  progress          " + state_with_flags(u);
    const auto p = describe_progress(u.progress);
    return p.empty() ? line : line + "  " + p;
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
    return line + "\n";
}

} // namespace pgshift::cli
