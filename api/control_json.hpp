// JSON rendering of the control API's shapes: upgrade, event, list pages, errors. Pure.
#pragma once

#include "api/control_errors.hpp"
#include "persistence/upgrade_stats.hpp"
#include "statemachine/upgrade.hpp"
#include "statemachine/waiting.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pgshift::api {

// An upgrade with what its JSON shows beside the record. Rendering is a pure function of
// this: the live figures (downtime so far, estimated progress) are as of `now`, which the
// caller reads once, so an answer can be cached and a test can fix the time.
struct upgrade_view {
    upgrade record;
    std::vector<persistence::step_timing> timings{};
    std::optional<waiting_status> waiting{}; // the scheduler's answer, when it holds it back
    time_point now{};
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

// Transfer progress as shown: percent and ETA derived from bytes and the step's start, as
// Heroku last reported them; and the same extrapolated to `now` at the rate measured since
// Heroku started the transfer, so a client sees it move between sparse polls.
struct progress_view {
    std::optional<double> percent;           // one decimal; unset when the total is unknown
    std::optional<std::int64_t> eta_seconds; // unset when total or rate is unknown
    // processed_bytes + rate x (now - at), within [processed_bytes, total_bytes]; equal to
    // processed_bytes (and `estimated` false) when there is nothing to extrapolate: no running
    // transfer, no total, no rate yet, or no time since the last report.
    std::int64_t estimated_bytes = 0;
    bool estimated = false;
    std::optional<double> estimated_percent;           // as percent, of estimated_bytes
    std::optional<std::int64_t> estimated_eta_seconds; // the bytes left at that rate
};
progress_view derive_progress(const upgrade& u, time_point now);

// The downtime as shown: unset before maintenance began.
struct downtime_view {
    time_point began;
    std::optional<time_point> ended{};
    std::int64_t ms = 0;                       // so far while in maintenance, final once ended
    std::optional<std::int64_t> heroku_ms{};   // capture + restore, once ended and both known
    std::optional<std::int64_t> overhead_ms{}; // ms - heroku_ms (Heroku's are whole seconds)
};
std::optional<downtime_view> derive_downtime(const upgrade& u, time_point now);

} // namespace pgshift::api
