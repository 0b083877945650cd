// The worker: one coroutine per active upgrade, from its stored state to a terminal one.
#pragma once

#include "daemon/step_context.hpp"
#include "daemon/worker_signal.hpp"

#include <functional>
#include <string>

namespace pgshift::daemon {

struct worker_env {
    heroku::client& heroku;
    net::thread_pool& blocking; // for work that blocks (libpq), off the loop
    persistence::upgrade_store& store;
    const engine_options& opts;
    std::function<time_point()> now;
    std::function<void(std::string_view)> log;
};

// Drives upgrade `id` until it is terminal: run the step, decide, commit, act (DESIGN.md §2).
// Returns when the upgrade is terminal or gone. When SQLite cannot commit (disk full), the
// step stops there and runs again from the stored state after a backoff, until a commit
// succeeds; the store remembers the failure meanwhile (upgrade_store::write_failure).
net::awaitable<void> run_worker(worker_env env, std::string id, worker_signal& wake);

} // namespace pgshift::daemon
