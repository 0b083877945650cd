// The control API's backend in pgshiftd: commands go to the engine, reads to the store.
#include "daemon/control_backend.hpp"

#include "persistence/upgrade_stats.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace pgshift::daemon {

namespace {

std::string store_problem(const std::string& error) {
    return "the state store cannot commit (" + error +
           "); nothing more is done on Heroku "
           "until it can, and it is tried again with backoff";
}

} // namespace

engine_control_backend::engine_control_backend(engine& e, persistence::upgrade_store& store,
                                               sqlite::database& db, heroku_stats_source heroku,
                                               token_check* token)
    : engine_(e)
    , store_(store)
    , db_(db)
    , heroku_(std::move(heroku))
    , token_(token) {}

std::optional<std::string> engine_control_backend::not_ready() const {
    if (!ready_) {
        return "recovery has not finished yet";
    }
    if (const auto& failure = store_.write_failure()) {
        return store_problem(*failure);
    }
    if (token_ != nullptr) {
        if (auto rejected = token_->rejection()) {
            return *rejected;
        }
    }
    return std::nullopt;
}

// The stored row cannot say it (the store is what fails): the failure is laid over it.
upgrade engine_control_backend::with_store_failure(upgrade u) const {
    if (auto failure = store_.write_failure(u.id)) {
        u.needs_attention = true;
        u.last_error = store_problem(*failure);
    }
    return u;
}

void engine_control_backend::check_start(std::function<void(std::optional<api::api_error>)> done) {
    if (token_ == nullptr) {
        done(std::nullopt);
        return;
    }
    boost::asio::co_spawn(token_->executor(), check_token(std::move(done)), boost::asio::detached);
}

boost::asio::awaitable<void>
engine_control_backend::check_token(std::function<void(std::optional<api::api_error>)> done) {
    // Awaited into a variable: GCC 12 miscompiles some co_await inside an if condition.
    const token_verdict verdict = co_await token_->verdict(token_patience);
    // No answer in time (Heroku unreachable) is not a rejection: the start goes ahead and its
    // steps retry their requests as usual.
    if (verdict != token_verdict::rejected) {
        done(std::nullopt);
        co_return;
    }
    done(api::api_error{503, "heroku_token_rejected",
                        *token_->rejection() +
                            "; no upgrade can start until pgshiftd has a token Heroku accepts"});
}

result<upgrade> engine_control_backend::start(upgrade_request request,
                                              std::optional<std::string> idempotency_key) {
    return engine_.start(std::move(request), std::move(idempotency_key));
}

result<upgrade> engine_control_backend::command(std::string_view id, pgshift::command c) {
    return engine_.command(id, c);
}

result<upgrade> engine_control_backend::get(std::string_view id) {
    auto u = store_.get(id);
    if (!u) {
        return u;
    }
    return with_store_failure(std::move(u).value());
}

std::optional<upgrade> engine_control_backend::find_by_idempotency_key(std::string_view key) {
    auto u = store_.find_by_idempotency_key(key);
    if (!u) {
        return u;
    }
    return with_store_failure(std::move(*u));
}

persistence::upgrade_page engine_control_backend::list(const persistence::list_filter& filter) {
    auto page = store_.list(filter);
    for (upgrade& u : page.items) {
        u = with_store_failure(std::move(u));
    }
    return page;
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
    if (heroku_.rate_budget_reserved) {
        m.rate_budget_reserved = heroku_.rate_budget_reserved();
    }
    m.apps_in_maintenance = static_cast<std::int64_t>(engine_.apps_in_maintenance());
    m.waiting_by_reason = engine_.waiting_by_reason();
    return m;
}

} // namespace pgshift::daemon
