// Kinds of entries in an upgrade's append-only history, with stable spellings.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace pgshift {

// Append new kinds at the end; never rename or reuse a spelling (the history keeps them).
// External calls follow Temporal's shape: requested -> recorded -> completed | failed.
enum class event_type {
    created,          // the operator's request was accepted
    step_started,     // intent committed for a state's step
    effect_requested, // about to call Heroku (the identity to recognise it is recorded)
    effect_recorded,  // Heroku's answer (add-on id, transfer uuid) committed
    progress,         // polling saw progress (bytes, message)
    step_completed,   // the step is done; the upgrade moved on
    step_failed,      // the step failed; compensation or retry follows
    paused,
    resumed,
    cancel_requested,
    retried,
    compensation_started,
    needs_attention,
};

inline constexpr std::array all_event_types{
    event_type::created,          event_type::step_started, event_type::effect_requested,
    event_type::effect_recorded,  event_type::progress,     event_type::step_completed,
    event_type::step_failed,      event_type::paused,       event_type::resumed,
    event_type::cancel_requested, event_type::retried,      event_type::compensation_started,
    event_type::needs_attention,
};

std::string_view to_string(event_type t) noexcept;
std::optional<event_type> parse_event_type(std::string_view text) noexcept;

} // namespace pgshift
