// The worker: one coroutine per active upgrade, from its stored state to a terminal one.
#include "daemon/worker.hpp"

#include "common/rfc3339.hpp"
#include "daemon/crash_point.hpp"
#include "daemon/run_step.hpp"
#include "persistence/sqlite.hpp"
#include "statemachine/poll_schedule.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <optional>
#include <random>

namespace pgshift::daemon {
namespace {

input to_input(step_result r) {
    if (auto* e = std::get_if<step_error>(&r)) {
        return std::move(*e);
    }
    if (auto* s = std::get_if<stalled>(&r)) {
        return std::move(*s);
    }
    return step_done{};
}

// 0-10 % on top of a backoff, so workers that failed together do not retry together.
std::chrono::milliseconds with_jitter(std::chrono::milliseconds d) {
    thread_local std::mt19937 rng{std::random_device{}()};
    auto extra = d.count() / 10;
    return d + std::chrono::milliseconds(extra > 0 ? rng() % static_cast<unsigned>(extra) : 0);
}

// Failed, or rolled back because something failed (not because the operator cancelled).
bool ended_badly(const worker_env& env, const upgrade& u) {
    if (u.current == state::failed) {
        return true;
    }
    if (u.current != state::rolled_back) {
        return false;
    }
    for (const event_record& e : env.store.events(u.id, 0, 100'000)) {
        if (e.type == event_type::cancel_requested) {
            return false;
        }
    }
    return true;
}

void log_transition(const worker_env& env, const upgrade& before, const upgrade& after,
                    const decision& d) {
    const char* priority = ended_badly(env, after) ? "<3>" : after.needs_attention ? "<4>" : "<6>";
    std::string line = priority + std::string("upgrade ") + after.id + " app=" + after.request.app +
                       " " + std::string(to_string(before.current)) + " -> " +
                       std::string(to_string(after.current)) + " (" +
                       std::string(to_string(d.entry)) + ")";
    if (!d.detail.empty()) {
        line += ": " + d.detail;
    }
    env.log(line);
}

} // namespace

net::awaitable<bool> worker_signal::wait(std::chrono::milliseconds d) {
    if (pending_) {
        pending_ = false;
        co_return true;
    }
    timer_.expires_after(d);
    boost::system::error_code ec;
    co_await timer_.async_wait(net::redirect_error(net::use_awaitable, ec));
    bool woken = pending_;
    pending_ = false;
    co_return woken;
}

void worker_signal::notify() {
    pending_ = true;
    timer_.cancel();
}

bool step_context::commit(persistence::history_entry entry) {
    for (int tries = 0; tries < 2; ++tries) {
        auto r = store.transition(u, entry, now());
        if (r) {
            u = std::move(r).value();
            return true;
        }
        if (r.err().code != errc::stale_version) {
            log("<3>upgrade " + u.id + ": commit refused: " + r.err().message);
            return false;
        }
        auto fresh = store.get(u.id);
        if (!fresh || fresh->current != u.current) {
            return false;
        }
        carry_step_data(u, *fresh);
        u = std::move(fresh).value();
    }
    return false;
}

net::awaitable<bool> step_context::nap(std::chrono::milliseconds d) {
    if (!co_await wake_.wait(d)) {
        co_return true;
    }
    auto fresh = store.get(u.id);
    if (!fresh || fresh->current != u.current) {
        co_return false;
    }
    carry_step_data(u, *fresh);
    u = std::move(fresh).value();
    co_return true;
}

void leave_downtime(worker_env& env, const std::string& id, worker_slot& slot) {
    if (env.gate.is_down(id)) {
        env.gate.up_again(id, slot.share.used);
        env.nudge();
    }
    env.heroku.release(slot.share);
    slot.share.used = 0;
    slot.urgent.reset();
}

namespace {

// Its app is down because of this upgrade, or it was let in and is taking it down.
bool holds_downtime(const worker_env& env, const upgrade& u) {
    if (is_terminal(u.current)) {
        return false;
    }
    return plan::in_downtime(u) ||
           (u.current == state::entering_maintenance && env.gate.is_down(u.id));
}

// The scheduler's part of a turn (docs/design.md, "Downtime first"): keeps the gate in step
// with the upgrade, and asks before taking the app down or creating the add-on. A waiting
// status when the upgrade must wait (its worker looks again when nudged, or in a second).
std::optional<waiting_status> schedule(worker_env& env, const upgrade& u, worker_slot& slot) {
    downtime_gate& gate = env.gate;
    const downtime_gate::applicant me{u.id, u.created_at, u.request.max_downtime_concurrency};
    if (holds_downtime(env, u)) {
        if (!slot.urgent) {
            gate.mark_down(u.id); // found down at start-up, or just let in
            env.heroku.reserve(slot.share, gate.reservation());
            slot.urgent = std::make_unique<heroku::client>(env.heroku, slot.share);
        }
        return std::nullopt;
    }
    if (slot.urgent || gate.is_down(u.id)) {
        leave_downtime(env, u.id, slot); // up again (or rolled back before it went down)
    }
    if (is_terminal(u.current)) {
        return std::nullopt;
    }
    if (!u.target_addon_id.empty() && !u.downtime.ended) {
        gate.mark_prepared(u.id);
    }
    switch (u.current) {
    case state::provisioning:
        if (u.target_addon_id.empty()) {
            return gate.ask_provision(me, env.now());
        }
        return std::nullopt;
    case state::awaiting_window:
        if (u.request.downtime_at && env.now() < *u.request.downtime_at) {
            waiting_status w{wait_reason::window, 1, u.step_started_at.value_or(env.now()),
                             "the downtime starts at " + format_rfc3339(*u.request.downtime_at)};
            gate.set_waiting(u.id, w);
        }
        return std::nullopt; // the step itself waits for the window
    case state::entering_maintenance: {
        const double free = env.heroku.budget_available() - env.heroku.reserved();
        auto w = gate.ask_downtime(me, free, env.now());
        if (!w) {
            env.heroku.reserve(slot.share, gate.reservation());
            slot.urgent = std::make_unique<heroku::client>(env.heroku, slot.share);
        }
        return w;
    }
    case state::pending:
    case state::scaling_down:
    case state::capturing:
    case state::restoring:
    case state::verifying:
    case state::promoting:
    case state::scaling_up:
    case state::leaving_maintenance:
    case state::confirming:
    case state::removing_source:
    case state::rolling_back:
    case state::succeeded:
    case state::failed:
    case state::cancelled:
    case state::rolled_back:
        gate.leave_lines(u.id);
        return std::nullopt;
    }
    return std::nullopt;
}

// One turn of the worker: load, run the step, decide, commit, act. True once the upgrade is
// terminal or gone. Throws sqlite::error when the store cannot commit.
net::awaitable<bool> advance(worker_env& env, const std::string& id, worker_slot& slot) {
    constexpr auto forever = std::chrono::hours(24);
    worker_signal& wake = slot.wake;
    auto loaded = env.store.get(id);
    if (!loaded || is_terminal(loaded->current)) {
        co_return true;
    }
    if (loaded->paused) {
        // Paused at a boundary (or found paused at start-up): nothing runs until resume. Its
        // app stays down if it is (and keeps its place among those down), but it leaves
        // the lines: a paused upgrade holds nobody up.
        env.gate.leave_lines(id);
        if (!plan::in_downtime(*loaded) && (slot.urgent || env.gate.is_down(id))) {
            leave_downtime(env, id, slot); // let in, paused before the app went down
        }
        co_await wake.wait(forever);
        co_return false;
    }
    if (auto w = schedule(env, *loaded, slot)) {
        if (slot.logged_wait != w->reason) {
            slot.logged_wait = w->reason;
            env.log("<6>upgrade " + id + " app=" + loaded->request.app + " waits for " +
                    std::string(to_string(w->reason)) + " (place " + std::to_string(w->place) +
                    " in line): " + w->detail);
        }
        // Waits in line: nudged when a place frees up, and looks again every second for the
        // budget's refill and operator commands.
        co_await wake.wait(std::chrono::seconds(1));
        co_return false;
    }
    slot.logged_wait.reset();
    heroku::client& heroku = slot.urgent ? *slot.urgent : env.heroku;
    step_context ctx(std::move(loaded).value(), heroku, env.blocking, env.store, env.opts, env.now,
                     env.log, wake);
    step_result r = co_await run_step(ctx);
    if (std::holds_alternative<superseded>(r)) {
        co_return false;
    }
    upgrade before = ctx.u;
    auto d = decide(ctx.u, to_input(std::move(r)), env.now(), env.opts.retry);
    if (!d) {
        env.log("<3>upgrade " + id + ": " + d.err().message);
        co_return true;
    }
    auto committed = env.store.transition(d->next, {d->entry, d->detail}, env.now());
    if (!committed) {
        co_return false; // an operator moved it first: start over from what is stored
    }
    crash_point("after_transition");
    log_transition(env, before, *committed, *d);
    switch (d->act) {
    case action::run_step:
        break;
    case action::retry_after:
        co_await wake.wait(with_jitter(d->delay));
        break;
    case action::idle:
        co_await wake.wait(forever);
        break;
    case action::finish:
        co_return true;
    }
    co_return false;
}

// After the n-th store failure in a row: the step retry's backoff, doubling, at most 1 min.
std::chrono::milliseconds store_backoff(const retry_policy& p, int n) {
    const std::chrono::milliseconds d = p.first_backoff * (std::int64_t{1} << std::min(n - 1, 10));
    return std::min({d, p.max_backoff, std::chrono::milliseconds(std::chrono::minutes(1))});
}

} // namespace

net::awaitable<void> run_worker(worker_env env, std::string id, worker_slot& slot) {
    worker_signal& wake = slot.wake;
    int failures = 0;
    for (;;) {
        std::optional<std::string> store_error;
        try {
            const bool finished = co_await advance(env, id, slot);
            if (finished) {
                co_return;
            }
        } catch (const sqlite::error& e) {
            store_error = e.what();
        }
        if (!store_error) {
            if (failures > 0 && !env.store.write_failure(id)) {
                env.log("<5>upgrade " + id +
                        ": the state store commits again; the upgrade "
                        "continues");
                failures = 0;
            }
            continue;
        }
        // The step stopped at the commit that failed, so nothing it meant to do on Heroku
        // happened. Once a commit succeeds it runs again from the stored state and
        // reconciles, exactly as after a restart. The API shows this meanwhile.
        ++failures;
        auto delay = with_jitter(store_backoff(env.opts.retry, failures));
        env.log((failures == 1 ? "<2>" : "<7>") + std::string("upgrade ") + id +
                ": the state store cannot commit (" + *store_error +
                "); nothing more is done on Heroku until it can; trying again in " +
                std::to_string(delay.count()) + " ms");
        co_await wake.wait(delay);
    }
}

} // namespace pgshift::daemon
