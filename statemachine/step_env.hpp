// What a step's plan sees: the working upgrade, the time of its last resume, its tunables.
#pragma once

#include "statemachine/decide.hpp"

#include <chrono>
#include <variant>

namespace pgshift::plan {

using namespace std::chrono_literals;

// Polling, progress commits and stall detection (pgshiftd's [engine] settings).
struct step_options {
    // docs/design.md, "The poll schedule": tight while the app is down, frugal otherwise.
    std::chrono::milliseconds poll_interval = 5s;  // Heroku's CLI polls every 5 s (3 s transfers)
    std::chrono::milliseconds poll_min = 250ms;    // in downtime, polls never come faster
    std::chrono::milliseconds poll_max = 15min;    // nor slower, far from a transfer's end
    std::chrono::milliseconds progress_every = 5s; // commit transfer progress at most this often
    std::chrono::milliseconds stall_after = 30min; // no transfer progress: needs attention
    int wait_status_404s = 60;                     // the CLI tolerates 20 at 5 s; be patient
};

// How a step ended: its "done when" holds, it failed, or its transfer stalled.
using step_outcome = std::variant<step_done, step_error, stalled>;

// Owned by the interpreter, which refreshes u after every commit and operator command and
// sets now before every resume. A plan changes u's step data, then commits it.
struct step_env {
    upgrade& u;
    time_point now{};
    const step_options& opts;
};

} // namespace pgshift::plan
