// The worker: one coroutine per active upgrade, from its stored state to a terminal one.
#pragma once

#include "daemon/downtime_gate.hpp"
#include "daemon/step_context.hpp"
#include "daemon/worker_signal.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pgshift::daemon {

// What one worker owns beside its coroutine: its wake-up, and while its app is down the
// budget share set aside for it and the urgent handle on the Heroku client that draws on it.
struct worker_slot {
    explicit worker_slot(net::any_io_executor ex)
        : wake(ex) {}
    worker_signal wake;
    heroku::budget_share share;
    std::unique_ptr<heroku::client> urgent;
    std::optional<wait_reason> logged_wait; // the wait last written to the log
};

struct worker_env {
    heroku::client& heroku;
    downtime_gate& gate;
    std::function<void()> nudge; // wakes every worker waiting in the gate's lines
    net::thread_pool& blocking;  // for work that blocks (libpq), off the loop
    persistence::upgrade_store& store;
    const engine_options& opts;
    std::function<time_point()> now;
    std::function<void(std::string_view)> log;
};

// Drives upgrade `id` until it is terminal: run the step, decide, commit, act (DESIGN.md §2).
// Returns when the upgrade is terminal or gone. When SQLite cannot commit (disk full), the
// step stops there and runs again from the stored state after a backoff, until a commit
// succeeds; the store remembers the failure meanwhile (upgrade_store::write_failure).
net::awaitable<void> run_worker(worker_env env, std::string id, worker_slot& slot);

// Gives back what the slot holds in the gate and the budget (the worker ended, or its app
// is up again).
void leave_downtime(worker_env& env, const std::string& id, worker_slot& slot);

} // namespace pgshift::daemon
