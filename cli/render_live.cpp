// The live progress: the `watch` bar and lines, and the progress, downtime and waiting texts.
#include "cli/render.hpp"
#include "cli/render_parts.hpp"

#include <algorithm>

namespace pgshift::cli {

using namespace detail;

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

} // namespace pgshift::cli
