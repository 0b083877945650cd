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

// A session's state that stop() may touch while its coroutine is suspended.
struct session {
    session(std::shared_ptr<server_context> context, socket_stream& stream)
        : ctx(std::move(context))
        , tcp(stream)
        , delay_timer(stream.get_executor()) {}

    std::shared_ptr<server_context> ctx;
    socket_stream& tcp;
    connection_registry::entry* registration = nullptr; // set once registered
    net::steady_timer delay_timer;
    chunk_queue* stream = nullptr; // while a streaming body is being sent
    std::string remote_address;
    std::uint16_t remote_port = 0;
    bool writing = false;
    bool stopping = false;

    const server_options& options() const { return ctx->options; }

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
