// Writing answers (private to api/http_session.cpp): status and headers from a vetted
// response, every write within write_timeout, and a streamed body pumped from its queue.
#pragma once

#include "api/chunk_queue.hpp"
#include "api/exchange.hpp"
#include "api/http_session_state.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <memory>
#include <string>

namespace pgshift::http::detail {

// However a stream ends, its handler may keep the writer: detach it from the session's frame.
struct stream_detach {
    session& s;
    ~stream_detach() {
        s.stream->close();
        s.stream = nullptr;
    }
};

// Status line and headers of res (already vetted); the body is the caller's.
template<class Body>
http::response<Body> head_of(const response& res, unsigned version, const server_context& ctx) {
    http::response<Body> out{static_cast<http::status>(res.status), version};
    out.set(http::field::server, ctx.options.server_name);
    for (const auto& h : res.headers) {
        if (!is_framing_header(h.name)) {
            out.insert(h.name, h.value);
        }
    }
    return out;
}

inline http::response<http::string_body> to_beast(response& res, unsigned version, bool head,
                                                  bool keep, const server_context& ctx) {
    auto out = head_of<http::string_body>(res, version, ctx);
    out.keep_alive(keep);
    // 204 and 304 carry neither a body nor a Content-Length.
    if (res.status != 204 && res.status != 304) {
        out.body() = std::move(res.body);
        out.prepare_payload();
        if (head) {
            out.body().clear(); // HEAD: the GET answer's Content-Length, without its body
        }
    }
    return out;
}

// Runs one write (an as_tuple awaitable) within write_timeout; stop() lets it finish.
template<class Write>
net::awaitable<bool> async_timed_write(session& s, Write write) {
    s.writing = true;
    s.expires_after(s.options().write_timeout);
    s.set_busy(true);
    auto [ec, n] = co_await write();
    s.set_busy(false);
    s.writing = false;
    co_return !ec;
}

template<class Stream, class Message>
net::awaitable<bool> async_write_message(Stream& stream, session& s, Message& msg) {
    co_return co_await async_timed_write(s,
                                         [&] { return http::async_write(stream, msg, use_tuple); });
}

template<class Stream, class Buffers>
net::awaitable<bool> async_write_bytes(Stream& stream, session& s, const Buffers& buffers) {
    co_return co_await async_timed_write(
        s, [&] { return net::async_write(stream, buffers, use_tuple); });
}

// Sends chunks as the handler queues them until it finishes, the peer goes away or the
// server stops. False when the body was cut short (then no last chunk is sent, so the
// client can tell).
template<class Stream>
net::awaitable<bool> async_pump_chunks(Stream& stream, session& s, chunk_queue& queue,
                                       net::steady_timer& wake, bool chunked) {
    for (;;) {
        if (auto chunk = queue.pop()) {
            bool sent = false;
            if (chunked) {
                sent = co_await async_write_bytes(stream, s, http::make_chunk(net::buffer(*chunk)));
            } else {
                sent = co_await async_write_bytes(stream, s, net::buffer(*chunk));
            }
            if (!sent) {
                co_return false;
            }
        } else if (queue.closed()) {
            co_return false;
        } else if (queue.finished()) {
            co_return !chunked || co_await async_write_bytes(stream, s, http::make_chunk_last());
        } else {
            co_await wake.async_wait(use_tuple); // write(), finish() or close() cancel it
        }
    }
}

// Sends status and headers, hands the handler its writer, then pumps the chunks.
template<class Stream>
net::awaitable<bool> async_send_stream(Stream& stream, session& s, response& res,
                                       unsigned version) {
    auto head = head_of<http::empty_body>(res, version, *s.ctx);
    head.keep_alive(false);
    const bool chunked = version >= 11; // HTTP/1.0 gets a body delimited by the close
    head.chunked(chunked);
    http::response_serializer<http::empty_body> serializer{head};
    if (!co_await async_timed_write(
            s, [&] { return http::async_write_header(stream, serializer, use_tuple); }) ||
        s.stopping) {
        co_return false;
    }
    net::steady_timer wake{s.tcp.get_executor(), net::steady_timer::time_point::max()};
    auto queue = std::make_shared<chunk_queue>(s.options().stream_queue_limit);
    queue->set_wake([&wake] { wake.cancel(); });
    s.stream = queue.get();
    const stream_detach detach{s};
    try {
        res.on_stream(queue);
    } catch (const std::exception& e) {
        s.ctx->log(std::string("<3>http: stream handler failed: ") + e.what());
        queue->close();
    }
    co_return co_await async_pump_chunks(stream, s, *queue, wake, chunked);
}

} // namespace pgshift::http::detail
