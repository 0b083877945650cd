// JSON rendering of the control API's shapes: upgrade, event, list pages, errors. Pure.
#pragma once

#include "api/control_errors.hpp"
#include "persistence/upgrade_stats.hpp"
#include "statemachine/upgrade.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pgshift::api {

// An upgrade with the step timings its JSON shows.
struct upgrade_view {
    upgrade record;
    std::vector<persistence::step_timing> timings{};
};

// The upgrade shape of docs/control-api.md; never shows a token (the record holds none).
std::string render_upgrade(const upgrade_view& u);
// {"upgrades": [...], "next": id | null}
std::string render_upgrade_page(const std::vector<upgrade_view>& items,
                                const std::optional<std::string>& next);
// {"seq", "at", "type", "from", "to", "detail", "effect_id", "identity"}, on one line (fit
// for an SSE data field); effect_id and identity are null when the entry names no effect.
std::string render_event(const event_record& e);
// {"events": [...]}
std::string render_events(const std::vector<event_record>& events);
// {"id", "message"} plus "field" / "upgrade_id" when set.
std::string render_error(const api_error& e);

// Transfer progress as shown: percent and ETA derived from bytes and the step's start.
struct progress_view {
    std::optional<double> percent;           // one decimal; unset when the total is unknown
    std::optional<std::int64_t> eta_seconds; // unset when total or rate is unknown
};
progress_view derive_progress(const upgrade& u);

} // namespace pgshift::api
