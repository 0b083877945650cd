// The control API's backend in pgshiftd: commands go to the engine, reads to the store.
#pragma once

#include "api/control_backend.hpp"
#include "daemon/engine.hpp"
#include "daemon/token_check.hpp"
#include "persistence/sqlite.hpp"
#include "persistence/upgrade_store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgshift::daemon {

// Heroku figures for /metrics, read at scrape time from the Heroku client's observer.
struct heroku_stats_source {
    // Requests by answer status ("200", "429", …; "error": no answer). Unset: none shown.
    std::function<std::vector<std::pair<std::string, std::int64_t>>()> requests_by_status{};
    // Requests left in the rate-limit budget. Unset, or nullopt: the gauge is not shown.
    std::function<std::optional<std::int64_t>()> rate_budget_remaining{};
    // Requests set aside for the downtimes in progress. Unset: not shown.
    std::function<std::int64_t()> rate_budget_reserved{};
};

// Loop thread only. engine, store, db (the store's database) and token outlive the backend,
// and the backend outlives the control API's server and its event streams.
//
// What the store could not commit shows here: an upgrade whose last commit failed reads as
// needing attention with the store's error, and /readyz answers 503 while commits fail.
class engine_control_backend final : public api::control_backend {
public:
    engine_control_backend(engine& e, persistence::upgrade_store& store, sqlite::database& db,
                           heroku_stats_source heroku = {}, token_check* token = nullptr);

    // Call once engine.recover() returned: /readyz answers 200 from then on (unless the
    // store cannot commit or Heroku rejected the token).
    void mark_ready() noexcept { ready_ = true; }

    // How long a start waits for Heroku to say whether it accepts the token.
    static constexpr std::chrono::seconds token_patience{10};

    result<upgrade> start(upgrade_request request,
                          std::optional<std::string> idempotency_key) override;
    result<upgrade> command(std::string_view id, pgshift::command c) override;
    result<upgrade> get(std::string_view id) override;
    std::optional<upgrade> find_by_idempotency_key(std::string_view key) override;
    persistence::upgrade_page list(const persistence::list_filter& filter) override;
    std::vector<event_record> events(std::string_view id, std::int64_t after_seq,
                                     std::size_t limit) override;
    std::vector<persistence::step_timing> timings(std::string_view id) override;
    std::optional<waiting_status> waiting(std::string_view id) override {
        return engine_.waiting(id);
    }
    void check_start(std::function<void(std::optional<api::api_error>)> done) override;
    bool ready() const override { return !not_ready(); }
    std::string not_ready_reason() const override { return not_ready().value_or(""); }
    api::metrics_snapshot metrics() override;
    std::optional<std::uint64_t> revision(std::string_view id) override {
        return store_.revision(id);
    }

private:
    std::optional<std::string> not_ready() const;
    boost::asio::awaitable<void>
    check_token(std::function<void(std::optional<api::api_error>)> done);
    upgrade with_store_failure(upgrade u) const;

    engine& engine_;
    persistence::upgrade_store& store_;
    sqlite::database& db_;
    heroku_stats_source heroku_;
    token_check* token_;
    bool ready_ = false;
};

} // namespace pgshift::daemon
