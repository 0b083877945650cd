// decide(): the upgrade state machine as a pure function from (upgrade, input, now).
#pragma once

#include "statemachine/result.hpp"
#include "statemachine/upgrade.hpp"

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace pgshift {

// What the worker tells the machine.
struct step_done {}; // the current state's "done when" holds (DESIGN.md §1)
struct step_error {  // the current step failed
    std::string message;
    bool retryable = true; // network, 5xx, 429: worth another attempt
};
struct stalled { // a transfer made no progress for too long
    std::string message;
};
enum class command { pause, resume, cancel, retry };
using input = std::variant<step_done, step_error, stalled, command>;

std::string_view to_string(command c) noexcept;

// What the worker does next.
enum class action {
    run_step,    // perform (or reconcile, then perform) the current state's step now
    retry_after, // run the current step again after `delay`
    idle,        // nothing until an operator command (paused, or waiting for attention)
    finish,      // terminal: the worker ends
};

struct decision {
    upgrade next; // the record to commit with store.transition (its version untouched)
    action act = action::run_step;
    std::chrono::milliseconds delay{0};
    event_type entry = event_type::step_completed;
    std::string detail;
};

struct retry_policy {
    int attempts_before_giving_up = 5; // before promoting: then roll back
    int attempts_before_attention = 5; // from promoting on, and while rolling back
    std::chrono::milliseconds first_backoff{2000};
    std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
};

// The next record and action. Errors (errc::invalid) only for operator commands that are
// not legal in the upgrade's state; the message says why, for the operator.
result<decision> decide(upgrade u, const input& in, time_point now,
                        const retry_policy& policy = {});

// The state that follows `s` for this request (optional states skipped).
state successor(state s, const upgrade_request& request) noexcept;

// Before promoting, failures roll back; from promoting on the upgrade only moves forward.
bool is_before_promote(state s) noexcept;

// What a rollback must undo, in the order it undoes it, given what the upgrade recorded.
enum class compensation { scale_up, restore_maintenance, destroy_target };
std::vector<compensation> compensation_plan(const upgrade& u);

// The delay before attempt `attempt` (1-based) of a failing step; jitter is the caller's.
std::chrono::milliseconds backoff(int attempt, const retry_policy& policy) noexcept;

} // namespace pgshift
