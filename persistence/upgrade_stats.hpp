// Read-only figures derived from the upgrades table and the history: step timings, counts.
#pragma once

#include "persistence/sqlite.hpp"
#include "statemachine/upgrade.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshift::persistence {

// One stay in a (non-terminal) state, from the history entry that entered it to the one
// that left it; finished_at is unset while the upgrade is still there.
struct step_timing {
    state step = state::pending;
    time_point started_at{};
    std::optional<time_point> finished_at{};

    bool operator==(const step_timing&) const = default;
};

// Finished stays in one state over every upgrade: the Prometheus summary's sum and count.
struct step_duration_total {
    state step = state::pending;
    std::int64_t milliseconds_sum = 0;
    std::int64_t count = 0;

    bool operator==(const step_duration_total&) const = default;
};

// Every state entered by upgrade `id`, in history order (a re-entered state appears again);
// empty for an unknown id. Throws sqlite::error.
std::vector<step_timing> step_timings(sqlite::database& db, std::string_view id);

// How many upgrades are in each state, every state listed (zeros included), in
// all_states order. Read from the running totals of migration 7: O(states), not
// O(upgrades). Throws sqlite::error.
std::vector<std::pair<state, std::int64_t>> count_by_state(sqlite::database& db);

// Finished stays summed per non-terminal state, every such state listed, in all_states
// order. Read from the running totals of migration 7, not the history. Throws sqlite::error.
std::vector<step_duration_total> step_duration_totals(sqlite::database& db);

} // namespace pgshift::persistence
