// Spellings of the upgrade states.
#include "statemachine/state.hpp"

namespace pgshift {

std::string_view to_string(state s) noexcept {
    switch (s) {
    case state::pending:
        return "pending";
    case state::provisioning:
        return "provisioning";
    case state::awaiting_window:
        return "awaiting_window";
    case state::entering_maintenance:
        return "entering_maintenance";
    case state::scaling_down:
        return "scaling_down";
    case state::capturing:
        return "capturing";
    case state::restoring:
        return "restoring";
    case state::verifying:
        return "verifying";
    case state::promoting:
        return "promoting";
    case state::scaling_up:
        return "scaling_up";
    case state::leaving_maintenance:
        return "leaving_maintenance";
    case state::confirming:
        return "confirming";
    case state::removing_source:
        return "removing_source";
    case state::rolling_back:
        return "rolling_back";
    case state::succeeded:
        return "succeeded";
    case state::failed:
        return "failed";
    case state::cancelled:
        return "cancelled";
    case state::rolled_back:
        return "rolled_back";
    }
    return "unknown";
}

std::optional<state> parse_state(std::string_view text) noexcept {
    for (state s : all_states) {
        if (to_string(s) == text) {
            return s;
        }
    }
    return std::nullopt;
}

bool is_terminal(state s) noexcept {
    return s == state::succeeded || s == state::failed || s == state::cancelled ||
           s == state::rolled_back;
}

} // namespace pgshift
