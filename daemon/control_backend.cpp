// The control API's backend in pgshiftd: commands go to the engine, reads to the store.
#include "daemon/control_backend.hpp"

#include "persistence/upgrade_stats.hpp"

namespace pgshift::daemon {

engine_control_backend::engine_control_backend(engine& e, persistence::upgrade_store& store,
                                               sqlite::database& db, heroku_stats_source heroku)
    : engine_(e)
    , store_(store)
    , db_(db)
    , heroku_(std::move(heroku)) {}

result<upgrade> engine_control_backend::start(upgrade_request request,
                                              std::optional<std::string> idempotency_key) {
    return engine_.start(std::move(request), std::move(idempotency_key));
}

result<upgrade> engine_control_backend::command(std::string_view id, pgshift::command c) {
    return engine_.command(id, c);
}

result<upgrade> engine_control_backend::get(std::string_view id) {
    return store_.get(id);
}

std::optional<upgrade> engine_control_backend::find_by_idempotency_key(std::string_view key) {
    return store_.find_by_idempotency_key(key);
}

persistence::upgrade_page engine_control_backend::list(const persistence::list_filter& filter) {
    return store_.list(filter);
}

std::vector<event_record>
engine_control_backend::events(std::string_view id, std::int64_t after_seq, std::size_t limit) {
    return store_.events(id, after_seq, limit);
}

std::vector<persistence::step_timing> engine_control_backend::timings(std::string_view id) {
    return persistence::step_timings(db_, id);
}

api::metrics_snapshot engine_control_backend::metrics() {
    api::metrics_snapshot m;
    m.upgrades_by_state = persistence::count_by_state(db_);
    m.step_durations = persistence::step_duration_totals(db_);
    if (heroku_.requests_by_status) {
        m.heroku_requests_by_status = heroku_.requests_by_status();
    }
    if (heroku_.rate_budget_remaining) {
        m.rate_budget_remaining = heroku_.rate_budget_remaining();
    }
    return m;
}

} // namespace pgshift::daemon
