// The handler's answer to one request: called, awaited when deferred, delayed when asked.
#include "api/http_session_state.hpp"

#include <exception>

namespace pgshift::http::detail {
namespace {

// Where a deferred answer lands: it may come after the session ended, so it wakes the
// session's timer only while the session still waits.
struct deferred_slot {
    std::optional<response> answer;
    net::steady_timer* wake = nullptr;
};

// Hands the deferred handler its `answer`; false when the handler threw (logged).
bool start_deferred(response& res, const std::shared_ptr<deferred_slot>& slot, session& s) {
    try {
        res.deferred([slot](response r) {
            if (!slot->answer) {
                slot->answer = std::move(r);
                if (slot->wake != nullptr) {
                    slot->wake->cancel();
                }
            }
        });
        return true;
    } catch (const std::exception& e) {
        s.ctx->log(std::string("<3>http: deferred handler failed: ") + e.what());
        return false;
    }
}

// A deferred handler's real answer; nullopt when stop() came first.
net::awaitable<std::optional<response>> async_deferred(response& res, session& s) {
    auto slot = std::make_shared<deferred_slot>();
    slot->wake = &s.delay_timer;
    s.delay_timer.expires_at(net::steady_timer::time_point::max());
    if (!start_deferred(res, slot, s)) {
        slot->answer = internal_error();
    }
    while (!slot->answer && !s.stopping) {
        co_await s.delay_timer.async_wait(use_tuple);
    }
    slot->wake = nullptr; // an answer after this is dropped
    if (!slot->answer) {
        co_return std::nullopt;
    }
    co_return vetted(std::move(*slot->answer), *s.ctx);
}

} // namespace

net::awaitable<std::optional<response>> async_answer(beast_request& msg, session& s) {
    auto res = answer(msg, *s.ctx, s.remote_address, s.remote_port);
    if (res.deferred) {
        auto later = co_await async_deferred(res, s);
        if (!later) {
            co_return std::nullopt;
        }
        res = std::move(*later);
    }
    if (res.delay.count() > 0) {
        s.delay_timer.expires_after(res.delay);
        co_await s.delay_timer.async_wait(use_tuple);
        if (s.stopping) {
            co_return std::nullopt;
        }
    }
    co_return res;
}

} // namespace pgshift::http::detail
