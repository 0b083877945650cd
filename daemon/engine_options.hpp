// Tunables of the upgrade engine: polling, progress commits, stall detection, retries.
#pragma once

#include "daemon/downtime_gate.hpp"
#include "statemachine/decide.hpp"
#include "statemachine/step_env.hpp"

namespace pgshift::daemon {

using namespace std::chrono_literals;

// The steps' own tunables (plan::step_options), the retry policy between attempts, and the
// downtime scheduler's limits.
struct engine_options : plan::step_options {
    retry_policy retry;
    schedule_options schedule;
};

} // namespace pgshift::daemon
