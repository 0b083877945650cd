// The one registry of states: for each, its phase, whether a request runs it, and its plan.
#pragma once

#include "statemachine/plan.hpp"

#include <span>

namespace pgshift {

// Before promoting, failures roll back; from promoting on the upgrade only moves forward.
enum class phase {
    before_promote,
    after_promote,
    rollback, // compensations in reverse after a failure or cancel before promoting
    finished, // terminal: nothing more happens
};

struct procedure_row {
    state at;
    phase in;
    bool (*runs)(const upgrade_request&);                        // skipped when false
    plan::task<plan::step_outcome> (*plan)(plan::step_env& env); // null when terminal
};

// Every state once: the procedure top to bottom (DESIGN.md §1), then the rollback and the
// ends. A new step is one row here and its plan.
std::span<const procedure_row> procedure();

// The row of `s`; every state has one (a unit test walks all_states).
const procedure_row& row_of(state s) noexcept;

} // namespace pgshift
