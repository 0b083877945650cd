// What the control API needs from the daemon, as an interface: api/ never depends on daemon/.
#pragma once

#include "api/control_errors.hpp"
#include "persistence/upgrade_stats.hpp"
#include "persistence/upgrade_store.hpp"
#include "statemachine/decide.hpp"
#include "statemachine/result.hpp"
#include "statemachine/upgrade.hpp"
#include "statemachine/waiting.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshift::api {

// Everything /metrics shows, read at scrape time.
struct metrics_snapshot {
    std::vector<std::pair<state, std::int64_t>> upgrades_by_state{}; // every state
    std::vector<persistence::step_duration_total> step_durations{};  // finished steps
    // Heroku answers by HTTP status ("200", "429"…); "error" counts requests with no answer.
    std::vector<std::pair<std::string, std::int64_t>> heroku_requests_by_status{};
    std::optional<std::int64_t> rate_budget_remaining{}; // unset: not known yet, not shown
    // The downtime scheduler (unset: not shown): apps down now, calls set aside for them,
    // and upgrades waiting in its lines by reason (every reason listed).
    std::optional<std::int64_t> apps_in_maintenance{};
    std::optional<std::int64_t> rate_budget_reserved{};
    std::vector<std::pair<std::string, std::int64_t>> waiting_by_reason{};
};

// Called on the loop thread only, never concurrently. Expected outcomes come back as result
// errors (errc); infrastructure failures (SQLite) throw and become a generic 500.
class control_backend {
public:
    virtual ~control_backend() = default;

    // Records and starts an upgrade. conflict: the app has an active upgrade or the key is
    // taken; invalid: the request does not validate.
    virtual result<upgrade> start(upgrade_request request,
                                  std::optional<std::string> idempotency_key) = 0;
    // An operator command, committed before it returns. not_found; invalid when the command
    // is not legal in the upgrade's state (the message says why); stale_version when a
    // worker kept moving the upgrade.
    virtual result<upgrade> command(std::string_view id, pgshift::command c) = 0;
    virtual result<upgrade> get(std::string_view id) = 0; // not_found
    virtual std::optional<upgrade> find_by_idempotency_key(std::string_view key) = 0;
    virtual persistence::upgrade_page list(const persistence::list_filter& filter) = 0;
    // History in seq order after after_seq, at most limit entries.
    virtual std::vector<event_record> events(std::string_view id, std::int64_t after_seq,
                                             std::size_t limit) = 0;
    // The states an upgrade entered, with their times (the upgrade JSON's "timings").
    virtual std::vector<persistence::step_timing> timings(std::string_view id) = 0;
    // Why the upgrade waits for the scheduler (downtime window, concurrency, rate budget,
    // provisioning pace) and its place in line; nullopt when it does not.
    virtual std::optional<waiting_status> waiting(std::string_view) { return std::nullopt; }
    // Asked once a start request validated, before it is accepted: calls done (once, on the
    // loop thread, now or later) with nullopt to go ahead or with the refusal to answer
    // (pgshiftd: Heroku rejected its API token). Default: nothing to ask.
    virtual void check_start(std::function<void(std::optional<api_error>)> done) {
        done(std::nullopt);
    }
    // True once recovery finished (every active upgrade has its worker again) and nothing
    // keeps the daemon from working (not_ready_reason says what does).
    virtual bool ready() const = 0;
    virtual std::string not_ready_reason() const { return "recovery has not finished yet"; }
    virtual metrics_snapshot metrics() = 0;
    // Changes whenever get(id) or timings(id) may answer differently (a commit, a store
    // failure laid over the upgrade); the API then renders the upgrade again instead of
    // reusing its answer. nullopt: not known, nothing is reused.
    virtual std::optional<std::uint64_t> revision(std::string_view) { return std::nullopt; }
};

} // namespace pgshift::api
