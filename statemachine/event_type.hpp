// Kinds of entries in an upgrade's append-only history, with stable spellings.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace pgshift {

// Append new kinds at the end; never rename or reuse a spelling (the history keeps them).
// A removed kind's spelling is refused when read back, like any unknown one; never reused.
// Every Heroku write follows Temporal's shape: effect_requested (committed before the
// request) -> effect_recorded | effect_failed, both carrying the same effect id.
enum class event_type {
    created,          // the operator's request was accepted
    effect_requested, // about to call Heroku (the identity to recognise it is recorded)
    effect_recorded,  // Heroku's answer (add-on id, transfer uuid) committed
    progress,         // polling saw progress (bytes, message)
    step_completed,   // the step is done; the upgrade moved on
    step_failed,      // the step failed; compensation or retry follows
    paused,
    resumed,
    cancel_requested,
    retried,
    needs_attention,
    effect_failed, // a Heroku write's outcome was an error
};

inline constexpr std::array all_event_types{
    event_type::created,  event_type::effect_requested, event_type::effect_recorded,
    event_type::progress, event_type::step_completed,   event_type::step_failed,
    event_type::paused,   event_type::resumed,          event_type::cancel_requested,
    event_type::retried,  event_type::needs_attention,  event_type::effect_failed,
};

std::string_view to_string(event_type t) noexcept;
std::optional<event_type> parse_event_type(std::string_view text) noexcept;

} // namespace pgshift
