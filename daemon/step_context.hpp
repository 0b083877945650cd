// What a step sees: its upgrade, Heroku, the store, and commit/nap that notice operators.
#pragma once

#include "daemon/engine_options.hpp"
#include "heroku/client.hpp"
#include "persistence/upgrade_store.hpp"
#include "statemachine/decide.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string>
#include <variant>

namespace pgshift::daemon {

namespace net = boost::asio;

// The stored upgrade moved to another state under the step (an operator command): the step
// stops and the worker starts over from the stored record.
struct superseded {};
using step_result = std::variant<step_done, step_error, stalled, superseded>;

class worker_signal; // wakes a napping worker when an operator command was committed

class step_context {
public:
    step_context(upgrade u, heroku::client& h, net::thread_pool& blocking,
                 persistence::upgrade_store& s, const engine_options& o,
                 std::function<time_point()> clock, std::function<void(std::string_view)> log,
                 worker_signal& wake)
        : u(std::move(u))
        , heroku(h)
        , blocking(blocking)
        , store(s)
        , opts(o)
        , now(std::move(clock))
        , log(std::move(log))
        , wake_(wake) {}

    upgrade u; // the working copy; its version is the stored one
    heroku::client& heroku;
    net::thread_pool& blocking; // libpq work; joined by the engine before the loop dies
    persistence::upgrade_store& store;
    const engine_options& opts;
    std::function<time_point()> now;
    std::function<void(std::string_view)> log;

    // Commits u (same state) with a history entry. On a stale version it re-reads the
    // upgrade, carries this step's data over and tries once more when the state is still
    // the same (a pause or retry only); false when the state changed (superseded).
    // Throws sqlite::error when SQLite cannot commit: nothing more may happen on Heroku.
    bool commit(persistence::history_entry entry);

    // Sleeps d, or less when an operator command arrives. False when the upgrade moved to
    // another state meanwhile.
    net::awaitable<bool> nap(std::chrono::milliseconds d);

private:
    worker_signal& wake_;
};

} // namespace pgshift::daemon
