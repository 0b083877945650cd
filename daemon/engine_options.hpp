// Tunables of the upgrade engine: polling, progress commits, stall detection, retries.
#pragma once

#include "statemachine/decide.hpp"

#include <chrono>

namespace pgshift::daemon {

using namespace std::chrono_literals;

struct engine_options {
    std::chrono::milliseconds poll_interval = 5s;  // Heroku's CLI polls every 5 s (3 s transfers)
    std::chrono::milliseconds poll_min = 1s;       // adaptive polling never goes faster
    std::chrono::milliseconds poll_max = 60s;      // nor slower
    std::chrono::milliseconds progress_every = 5s; // commit transfer progress at most this often
    std::chrono::milliseconds stall_after = 30min; // no transfer progress: needs attention
    int wait_status_404s = 60;                     // the CLI tolerates 20 at 5 s; be patient
    retry_policy retry;
};

} // namespace pgshift::daemon
