// Tunables of the upgrade engine: polling, progress commits, stall detection, retries.
#pragma once

#include "statemachine/decide.hpp"
#include "statemachine/step_env.hpp"

namespace pgshift::daemon {

using namespace std::chrono_literals;

// The steps' own tunables (plan::step_options) and the retry policy between attempts.
struct engine_options : plan::step_options {
    retry_policy retry;
};

} // namespace pgshift::daemon
