// The states of an upgrade (DESIGN.md §1) and their stable spellings.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace pgshift {

// Order is the order of the procedure. Spellings, not numbers, are what SQLite and the
// API store, so values may be reordered but a spelling never changes meaning.
enum class state {
    pending,
    provisioning,
    awaiting_window,
    entering_maintenance,
    scaling_down,
    capturing,
    restoring,
    verifying,
    promoting,
    scaling_up,
    leaving_maintenance,
    confirming,
    removing_source,
    rolling_back, // compensations in reverse after a failure or cancel before promoting
    succeeded,
    failed,
    cancelled,
    rolled_back,
};

inline constexpr std::array all_states{
    state::pending,
    state::provisioning,
    state::awaiting_window,
    state::entering_maintenance,
    state::scaling_down,
    state::capturing,
    state::restoring,
    state::verifying,
    state::promoting,
    state::scaling_up,
    state::leaving_maintenance,
    state::confirming,
    state::removing_source,
    state::rolling_back,
    state::succeeded,
    state::failed,
    state::cancelled,
    state::rolled_back,
};

std::string_view to_string(state s) noexcept;

// The state spelled `text`, or nullopt when it names none.
std::optional<state> parse_state(std::string_view text) noexcept;

// True for succeeded, failed, cancelled and rolled_back: nothing more happens.
bool is_terminal(state s) noexcept;

} // namespace pgshift
