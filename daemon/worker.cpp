// The worker: one coroutine per active upgrade, from its stored state to a terminal one.
#include "daemon/worker.hpp"

#include "daemon/crash_point.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
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

void log_transition(const worker_env& env, const upgrade& before, const upgrade& after,
                    const decision& d) {
    std::string line =
        (after.needs_attention ? "<4>" : "<6>") + std::string("upgrade ") + after.id +
        " app=" + after.request.app + " " + std::string(to_string(before.current)) + " -> " +
        std::string(to_string(after.current)) + " (" + std::string(to_string(d.entry)) + ")";
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

bool step_context::commit(event_type type, std::string detail) {
    for (int tries = 0; tries < 2; ++tries) {
        auto r = store.transition(u, {type, detail}, now());
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

net::awaitable<void> run_worker(worker_env env, std::string id, worker_signal& wake) {
    constexpr auto forever = std::chrono::hours(24);
    for (;;) {
        auto loaded = env.store.get(id);
        if (!loaded || is_terminal(loaded->current)) {
            co_return;
        }
        if (loaded->paused) {
            // Paused at a boundary (or found paused at start-up): nothing runs until resume.
            co_await wake.wait(forever);
            continue;
        }
        step_context ctx(std::move(loaded).value(), env.heroku, env.blocking, env.store, env.opts,
                         env.now, env.log, wake);
        step_result r = co_await run_step(ctx);
        if (std::holds_alternative<superseded>(r)) {
            continue;
        }
        upgrade before = ctx.u;
        auto d = decide(ctx.u, to_input(std::move(r)), env.now(), env.opts.retry);
        if (!d) {
            env.log("<3>upgrade " + id + ": " + d.err().message);
            co_return;
        }
        auto committed = env.store.transition(d->next, {d->entry, d->detail}, env.now());
        if (!committed) {
            continue; // an operator moved it first: start over from what is stored
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
            co_return;
        }
    }
}

} // namespace pgshift::daemon
