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

// The figures to show: the API's estimate for now when it made one (marked "~"), else the
// last report.
struct shown_progress {
    std::int64_t bytes = 0;
    std::optional<double> percent;
    std::optional<std::int64_t> eta_seconds;
    std::string mark; // "~" for an estimate
};

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

// "budget (3rd in line): needs 41 calls, 12 free"
std::string waiting_text(const waiting_view& w) {
    std::string s = w.reason.empty() ? "the scheduler" : w.reason;
    if (w.place == 1) {
        s += " (next in line)";
    } else if (w.place > 1) {
        s += " (" + ordinal(w.place) + " in line)";
    }
    return w.detail.empty() ? s : s + ": " + w.detail;
}

// The downtime: the API's figure (as of its answer), else counted from the times.
std::optional<double> downtime_seconds(const downtime_view& d, clock_time now) {
    if (d.seconds) {
        return d.seconds;
    }
    if (const auto ended = parse_rfc3339(d.ended_at)) {
        return seconds_since(d.began_at, *ended);
    }
    return seconds_since(d.began_at, now);
}

// "0:23.4 (Heroku's capture + restore 0:21.0, pgshift's overhead 0:02.4)", or while down
// "in maintenance since 02:00:13Z (3:41)".
std::string downtime_text(const downtime_view& d, clock_time now) {
    const auto seconds = downtime_seconds(d, now);
    if (d.in_maintenance) {
        std::string s = "in maintenance since " + format_time_of_day(d.began_at);
        return seconds ? s + " (" + format_clock(*seconds) + ")" : s;
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

std::string list_progress(const upgrade_view& u) {
    if (!u.progress) {
        return u.state == "succeeded" ? "100%" : "-";
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
    const auto shown_now = shown(*p);
    const auto& mark = shown_now.mark;
    std::string s = mark + format_bytes(shown_now.bytes);
    if (p->total_bytes) {
        s += " / " + format_bytes(*p->total_bytes);
    }
    if (const auto f = fraction_of(*p)) {
        s += "  " + mark + percent_text(*f * 100);
    }
    if (shown_now.eta_seconds) {
        s += "  ETA " + mark + format_duration(static_cast<double>(*shown_now.eta_seconds));
    }
    if (!mark.empty()) {
        s += " (estimated)";
    }
    if (!p->message.empty()) {
        s += "  (" + p->message + ")";
    }
    return s;
}

std::string describe_downtime(const std::optional<downtime_view>& d, clock_time now) {
    if (!d) {
        return {};
    }
    const auto text = downtime_text(*d, now);
    return d->in_maintenance ? text : "downtime " + text;
}

std::string describe_waiting(const std::optional<waiting_view>& w) {
    return w ? "waiting: " + waiting_text(*w) : std::string{};
}

std::string render_progress_line(const upgrade_view& u, clock_time now, int width) {
    const auto limit = static_cast<std::size_t>(std::max(width, 20) - 1);
    std::string line;
    // While the app is down, that comes first: "restoring  down 3:41  [###---]  ~13.0% …".
    std::string down;
    if (u.downtime && u.downtime->in_maintenance) {
        const auto seconds = downtime_seconds(*u.downtime, now);
        down = "  down " + (seconds ? format_clock(*seconds) : std::string("?"));
    }
    if (u.progress && !is_terminal_state(u.state)) {
        const auto& p = *u.progress;
        const auto s = shown(p);
        const auto f = fraction_of(p);
        std::string tail = f ? "  " + s.mark + percent_text(*f * 100) : std::string{};
        tail += "  " + s.mark + format_bytes(s.bytes);
        if (p.total_bytes) {
            tail += " / " + format_bytes(*p.total_bytes);
        }
        if (s.eta_seconds) {
            tail += "  ETA " + s.mark + format_duration(static_cast<double>(*s.eta_seconds));
        }
        const auto head = state_with_flags(u) + down + "  ";
        const int room = static_cast<int>(limit) - static_cast<int>(head.size() + tail.size());
        line = head + progress_bar(f, std::clamp(room, 10, 40)) + tail;
    } else {
        line = state_with_flags(u) + down;
        if (!is_terminal_state(u.state)) {
            if (u.attempt > 1) {
                line += "  attempt " + std::to_string(u.attempt);
            }
            if (const auto in_step = seconds_since(u.step_started_at, now)) {
                line += "  " + format_duration(*in_step);
            }
            if (u.waiting) {
                line += "  " + describe_waiting(u.waiting);
            }
        }
    }
    return line.substr(0, limit);
}

std::string describe_live(const upgrade_view& u, clock_time now) {
    std::string s;
    for (const auto& part :
         {describe_waiting(u.waiting),
          u.downtime && u.downtime->in_maintenance ? describe_downtime(u.downtime, now)
                                                   : std::string{},
          describe_progress(u.progress)}) {
        if (!part.empty()) {
            s += (s.empty() ? "" : "  ") + part;
        }
    }
    return s;
}

std::string render_progress_plain(const upgrade_view& u, clock_time now) {
    std::string line = format_time(now) + "  progress          " + state_with_flags(u);
    const auto live = describe_live(u, now);
    return live.empty() ? line : line + "  " + live;
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
