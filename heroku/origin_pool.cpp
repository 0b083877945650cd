// One origin's connections: places under the cap, the idle keep-alive connections, the line.
#include "heroku/origin_pool.hpp"

#include "heroku/api_error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgshift::heroku::detail {

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

wire_failure failure(failure_kind kind, const char* id, std::string message) {
    return wire_failure{.kind = kind, .id = id, .message = std::move(message)};
}

} // namespace

void slot::reset() {
    if (auto pool = pool_.lock()) {
        pool_.reset();
        pool->give_back();
    }
}

waiter::~waiter() {
    if (!served) {
        if (auto p = pool.lock()) {
            p->line.erase(pos);
        }
    }
}

net::awaitable<std::variant<lease, wire_failure>> async_acquire(origin_pool& pool,
                                                                const std::string& origin,
                                                                bool idempotent,
                                                                clock_type::time_point deadline) {
    if (pool.line.empty()) { // with someone in line, a newcomer may not overtake
        if (idempotent && !pool.idle.empty()) {
            lease got;
            got.pooled = std::move(pool.idle.back());
            pool.idle.pop_back();
            co_return got;
        }
        if (pool.open < pool.cap) {
            lease got;
            got.place = pool.reserve();
            co_return got;
        }
        if (!idempotent && !pool.idle.empty()) {
            // At the cap with idle connections only: a create's fresh connection takes the
            // place of the longest idle one, else it would wait for nothing.
            lease got;
            got.place = std::move(pool.idle.front()->place);
            pool.idle.erase(pool.idle.begin());
            co_return got;
        }
    }
    waiter w(co_await net::this_coro::executor, deadline, idempotent);
    w.pool = pool.weak_from_this();
    w.pos = pool.line.insert(pool.line.end(), &w);
    const auto [ec] = co_await w.timer.async_wait(use_tuple);
    if (w.served) {
        const auto cs = co_await net::this_coro::cancellation_state;
        if (cs.cancelled() == net::cancellation_type::none) {
            lease got;
            got.pooled = std::move(w.conn);
            got.place = std::move(w.place);
            co_return got;
        }
        // Served and cancelled at once: a handed-over connection goes to the next in line
        // (a place goes back when w is destroyed).
        if (w.conn) {
            pool.put_back(std::move(w.conn));
        }
        co_return failure(failure_kind::final, error_ids::cancelled,
                          "waiting for a connection to " + origin + ": cancelled");
    }
    if (ec == net::error::operation_aborted) {
        co_return failure(failure_kind::final, error_ids::cancelled,
                          "waiting for a connection to " + origin + ": cancelled");
    }
    co_return failure(failure_kind::not_sent, error_ids::timeout,
                      "waiting for a connection to " + origin + ": deadline passed with " +
                          std::to_string(pool.open) + " open (the cap)");
}

} // namespace pgshift::heroku::detail
