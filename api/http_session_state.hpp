// A session's state shared by the connection loop (http_session.cpp) and the answer
// (http_answer.cpp). Internal to the server core.
#pragma once

#include "api/beast_exchange.hpp"
#include "api/chunk_queue.hpp"
#include "api/connection_registry.hpp"
#include "api/http_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace pgshift::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
// One stream type for TCP and unix-socket connections alike.
using socket_stream = beast::basic_stream<net::generic::stream_protocol>;

inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// The time limit of a session's reads and writes. Beast's own (basic_stream::expires_after)
// arms and cancels a timer around every read and write, and that cost as much as the rest
// of serving a small answer; here setting a limit is a store, and one timer per connection
// checks it, waking at least every check_every so that a limit set later, never shorter than
// check_every, is still kept on time. A limit counts only while a read or write is in
// progress (busy), as Beast's does: a session waiting for its handler or a stream's next
// event never times out.
struct io_deadline {
    using clock = std::chrono::steady_clock;

    io_deadline(const net::any_io_executor& ex, socket_stream& s, clock::duration every)
        : timer(ex)
        , stream(&s)
        , check_every(every) {}

    net::steady_timer timer;
    clock::time_point at = clock::time_point::max();
    bool busy = false;
    socket_stream* stream; // null once the session ended
    clock::duration check_every;
};

// Starts the checks; the last one ends once the session clears deadline.stream.
void watch(const std::shared_ptr<io_deadline>& deadline);

// A session's state that stop() may touch while its coroutine is suspended.
struct session {
    session(std::shared_ptr<server_context> context, socket_stream& stream);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    std::shared_ptr<server_context> ctx;
    socket_stream& tcp;
    connection_registry::entry* registration = nullptr; // set once registered
    net::steady_timer delay_timer;
    chunk_queue* stream = nullptr; // while a streaming body is being sent
    std::string remote_address;
    std::uint16_t remote_port = 0;
    bool writing = false;
    bool stopping = false;
    std::shared_ptr<io_deadline> deadline;

    const server_options& options() const { return ctx->options; }

    // The reads and writes from now on must each end within d (until the next call).
    void expires_after(std::chrono::steady_clock::duration d) {
        deadline->at = io_deadline::clock::now() + d;
    }
    // Around each read or write: only then does the limit count.
    void set_busy(bool busy) { deadline->busy = busy; }

    // See connection_registry::entry::set_waiting: only waiting connections are shed.
    void set_waiting(bool waiting) {
        if (registration != nullptr) {
            registration->set_waiting(waiting);
        }
    }

    // Idle reads, delays and streams end now; a write in progress may finish.
    void stop() {
        stopping = true;
        delay_timer.cancel();
        if (stream != nullptr) {
            stream->close();
        }
        if (!writing) {
            tcp.close();
        }
    }
};

// The handler's answer to msg, after its deferral or delay; nullopt when stop() came first.
net::awaitable<std::optional<response>> async_answer(beast_request& msg, session& s);

} // namespace pgshift::http::detail
