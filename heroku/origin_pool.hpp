// One origin's connections (private to the transport): a cap on open connections, the idle
// keep-alive ones, and a first-come line of callers waiting for a place. Beast types: include
// only from the transport's .cpp files.
#pragma once

#include "heroku/transport.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pgshift::heroku::detail {

namespace beast = boost::beast;
using clock_type = std::chrono::steady_clock;

struct origin_pool;

// One of an origin's places under the cap. It goes back when destroyed, wherever that
// happens (a failed connect, a timeout, a cancelled caller, a dropped idle connection), so
// no error path can keep a place. Holds the pool weakly: a connection outliving its
// transport (a coroutine frame destroyed late) must not touch it.
class slot {
public:
    slot() = default;
    explicit slot(std::weak_ptr<origin_pool> pool)
        : pool_(std::move(pool)) {}
    slot(slot&& other) noexcept
        : pool_(std::exchange(other.pool_, {})) {}
    slot& operator=(slot&& other) noexcept {
        if (this != &other) {
            reset();
            pool_ = std::exchange(other.pool_, {});
        }
        return *this;
    }
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    ~slot() { reset(); }
    void reset();

private:
    std::weak_ptr<origin_pool> pool_;
};

struct connection {
    slot place; // first: given back after the socket below is closed
    std::string origin;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

using connection_ptr = std::unique_ptr<connection>;

// A caller in an origin's line, on its own coroutine frame. The pool serves it by handing
// over a pooled connection (an idempotent caller) or a place for a fresh one, then wakes it
// by cancelling its timer; the timer itself expires at the caller's deadline.
struct waiter {
    net::steady_timer timer;
    bool idempotent = true;
    bool served = false;
    connection_ptr conn;
    slot place;
    std::weak_ptr<origin_pool> pool;
    std::list<waiter*>::iterator pos;

    waiter(net::any_io_executor ex, clock_type::time_point deadline, bool idem)
        : timer(std::move(ex), deadline)
        , idempotent(idem) {}
    waiter(const waiter&) = delete;
    waiter& operator=(const waiter&) = delete;
    ~waiter();
};

// One origin's share: how many connections are open, the idle ones, the line of callers.
// Invariant: while anyone waits, open == cap and nothing is idle (a freed place or a
// returned connection goes to the line's front first).
struct origin_pool : std::enable_shared_from_this<origin_pool> {
    std::size_t cap = 1;
    std::size_t max_idle = 0;
    std::size_t open = 0; // idle + in use + being opened
    std::vector<connection_ptr> idle;
    std::list<waiter*> line;

    origin_pool(std::size_t c, std::size_t m)
        : cap(std::max<std::size_t>(c, 1))
        , max_idle(m) {}
    // Idle connections first: their places come back to a pool that is going away, which
    // their weak pointers see as expired.
    ~origin_pool() { idle.clear(); }

    slot reserve() {
        ++open;
        return slot(weak_from_this());
    }

    void serve(waiter& w) {
        line.erase(w.pos);
        w.served = true;
        w.timer.cancel();
    }

    // A place came back: the line's front opens a fresh connection with it.
    void give_back() {
        --open;
        while (!line.empty() && open < cap) {
            auto& w = *line.front();
            w.place = reserve();
            serve(w);
        }
    }

    // A healthy keep-alive connection after its exchange.
    void put_back(connection_ptr conn) {
        if (!line.empty()) {
            auto& w = *line.front();
            if (w.idempotent) {
                w.conn = std::move(conn);
            } else {
                // A create needs a fresh connection: it takes this one's place, and this
                // connection closes (below) without giving the place back.
                w.place = std::move(conn->place);
            }
            serve(w);
            return;
        }
        if (idle.size() < max_idle) {
            idle.push_back(std::move(conn));
        }
        // Otherwise conn is dropped here and its socket closed: no TLS close_notify, which
        // Heroku does not need and which would cost another deadline-bound round trip.
    }
};

// What a caller gets from the pool: a pooled connection, or a place to open a fresh one.
struct lease {
    connection_ptr pooled;
    slot place;
};

// A pooled connection or a place for the caller, at once or after waiting in line until
// deadline; a timeout or a cancellation is a wire_failure naming origin.
net::awaitable<std::variant<lease, wire_failure>> async_acquire(origin_pool& pool,
                                                                const std::string& origin,
                                                                bool idempotent,
                                                                clock_type::time_point deadline);

} // namespace pgshift::heroku::detail
