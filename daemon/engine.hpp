// The engine: starts, resumes and commands upgrades; one worker coroutine per active one.
#pragma once

#include "daemon/downtime_gate.hpp"
#include "daemon/engine_options.hpp"
#include "heroku/client.hpp"
#include "persistence/upgrade_store.hpp"
#include "statemachine/decide.hpp"
#include "statemachine/waiting.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
class thread_pool;
} // namespace boost::asio

namespace pgshift::daemon {

struct worker_slot;

class engine {
public:
    using logger = std::function<void(std::string_view line)>; // journald-prefixed lines

    // Everything runs on io's single thread; store, client and io outlive the engine.
    engine(boost::asio::io_context& io, persistence::upgrade_store& store, heroku::client& client,
           engine_options opts, std::function<time_point()> clock, logger log);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Spawns a worker for every non-terminal upgrade (after a crash or a restart); returns
    // how many. Each reconciles its current step with Heroku before acting.
    std::size_t recover();

    // Records a new upgrade (id generated here) and starts its worker. conflict when the app
    // has an active upgrade or the idempotency key is taken; invalid for a bad request.
    result<upgrade> start(upgrade_request request,
                          std::optional<std::string> idempotency_key = std::nullopt);

    // pause | resume | cancel | retry: decided, committed, then the worker is woken.
    result<upgrade> command(std::string_view id, pgshift::command c);

    // Why upgrade `id` does not go on yet (the downtime scheduler's answer), or nullopt
    // when it is not waiting for the scheduler.
    std::optional<waiting_status> waiting(std::string_view id) const;

    // The scheduler's figures for /metrics: apps down now, upgrades waiting by reason.
    std::size_t apps_in_maintenance() const { return gate_.down(); }
    std::vector<std::pair<std::string, std::int64_t>> waiting_by_reason() const;

    std::size_t running() const noexcept { return workers_.size(); }
    // Called whenever the last running worker ends.
    void on_idle(std::function<void()> f) { on_idle_ = std::move(f); }

private:
    void spawn(const std::string& id);

    boost::asio::io_context& io_;
    persistence::upgrade_store& store_;
    heroku::client& client_;
    engine_options opts_;
    std::function<time_point()> clock_;
    logger log_;
    void nudge_waiting();

    std::map<std::string, std::unique_ptr<worker_slot>, std::less<>> workers_;
    downtime_gate gate_;
    std::function<void()> on_idle_;
    std::unique_ptr<boost::asio::thread_pool> blocking_; // libpq comparisons, off the loop
};

// A fresh random (version 4) UUID, the upgrade id.
std::string new_upgrade_id();

} // namespace pgshift::daemon
