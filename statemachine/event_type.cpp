// Spellings of history entry kinds.
#include "statemachine/event_type.hpp"

namespace pgshift {

std::string_view to_string(event_type t) noexcept {
    switch (t) {
    case event_type::created:
        return "created";
    case event_type::effect_requested:
        return "effect_requested";
    case event_type::effect_recorded:
        return "effect_recorded";
    case event_type::progress:
        return "progress";
    case event_type::step_completed:
        return "step_completed";
    case event_type::step_failed:
        return "step_failed";
    case event_type::paused:
        return "paused";
    case event_type::resumed:
        return "resumed";
    case event_type::cancel_requested:
        return "cancel_requested";
    case event_type::retried:
        return "retried";
    case event_type::needs_attention:
        return "needs_attention";
    case event_type::effect_failed:
        return "effect_failed";
    }
    return "unknown";
}

std::optional<event_type> parse_event_type(std::string_view text) noexcept {
    for (event_type t : all_event_types) {
        if (to_string(t) == text) {
            return t;
        }
    }
    return std::nullopt;
}

} // namespace pgshift
