// One HTTP connection's life: TLS handshake, read requests, call the handler, write answers.
#include "api/http_session.hpp"

#include "api/beast_exchange.hpp"
#include "api/chunk_queue.hpp"
#include "api/exchange.hpp"
#include "api/http_session_state.hpp"
#include "api/http_session_write.hpp"

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <type_traits>
#include <unistd.h>

namespace pgshift::http::detail {

namespace {

namespace ssl = net::ssl;
using tcp = net::ip::tcp;
// How long an error answer waits for the client to stop sending before the socket closes.
constexpr std::chrono::seconds linger_limit{2};
// The first read of a kept-alive connection's next request.
constexpr std::size_t first_read_size = 4096;

template<class Stream>
constexpr bool is_tls = !std::is_same_v<Stream, socket_stream>;

// Reads one request: its line and headers within header_timeout of their first byte (for
// the first request the deadline set at accept runs on), then its body within idle_timeout,
// answering "Expect: 100-continue" in between. The connection stays sheddable ("waiting")
// until the whole request has arrived.
template<class Stream>
net::awaitable<beast::error_code>
async_read_request(Stream& stream, session& s, beast::flat_buffer& buffer,
                   http::request_parser<http::string_body>& p, bool first) {
    if (!first) {
        if (buffer.size() == 0) {
            // Between requests a kept-alive client may idle; its next request's headers are
            // then timed from their first byte.
            s.expires_after(s.options().idle_timeout);
            s.set_busy(true);
            auto [ec, n] =
                co_await stream.async_read_some(buffer.prepare(first_read_size), use_tuple);
            s.set_busy(false);
            if (ec) {
                co_return ec;
            }
            buffer.commit(n);
        }
        s.expires_after(s.options().header_timeout);
        // A request usually arrives whole in one read: parsed here, it needs no second
        // asynchronous operation, whose completion would be one more trip through the loop
        // (for a request already in the buffer, Beast posts it). The parser enforces the
        // header limit either way.
        beast::error_code early;
        buffer.consume(p.put(buffer.data(), early));
        if (early && early != http::error::need_more) {
            co_return early;
        }
    }
    if (!p.is_header_done()) {
        s.set_busy(true);
        auto [ec, n] = co_await http::async_read_header(stream, buffer, p, use_tuple);
        s.set_busy(false);
        if (ec) {
            co_return ec;
        }
    }
    beast::error_code ec;
    std::size_t n = 0;
    s.expires_after(s.options().idle_timeout);
    if (p.is_done()) {
        s.set_waiting(false);
        co_return ec;
    }
    if (iequals(p.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, p.get().version()};
        if (!co_await async_write_message(stream, s, go_on)) {
            co_return beast::error_code(net::error::connection_aborted);
        }
        s.expires_after(s.options().idle_timeout);
    }
    // Still sheddable while the body trickles in: a client that sends whole headers and then
    // a slow body must not hold a place at the connection cap either.
    s.set_busy(true);
    std::tie(ec, n) = co_await http::async_read(stream, buffer, p, use_tuple);
    s.set_busy(false);
    if (!ec) {
        s.set_waiting(false);
    }
    co_return ec;
}

// Half-closes and reads what the client still sends before closing: closing a socket with
// unread input makes the kernel send RST, which can destroy the answer before it is read.
net::awaitable<void> async_linger_close(session& s) {
    beast::error_code ec;
    s.tcp.socket().shutdown(net::socket_base::shutdown_send, ec);
    s.expires_after(
        std::min<std::chrono::steady_clock::duration>(linger_limit, s.options().idle_timeout));
    std::array<char, 4096> scratch{};
    while (!ec && !s.stopping) {
        s.set_busy(true);
        std::tie(ec, std::ignore) = co_await s.tcp.async_read_some(net::buffer(scratch), use_tuple);
        s.set_busy(false);
    }
    s.tcp.close();
}

// Answers a request that could not be served (limits, garbage, capacity), then closes.
template<class Stream>
net::awaitable<void> async_answer_and_close(Stream& stream, session& s, response res) {
    auto out = to_beast(res, 11, false, false, *s.ctx);
    if (co_await async_write_message(stream, s, out)) {
        co_await async_linger_close(s);
    }
}

template<class Stream>
net::awaitable<void> async_close(Stream& stream, session& s) {
    if constexpr (is_tls<Stream>) {
        if (!s.stopping) {
            s.expires_after(std::min<std::chrono::steady_clock::duration>(
                linger_limit, s.options().write_timeout));
            // Clients often close the TCP connection without answering our close_notify; the
            // stream_truncated (or eof) that gives is harmless: every response was framed by
            // Content-Length or chunking, so nothing could have been cut short unnoticed.
            s.set_busy(true);
            co_await stream.async_shutdown(use_tuple);
            s.set_busy(false);
        }
    }
    beast::error_code ec;
    s.tcp.socket().shutdown(net::socket_base::shutdown_send, ec);
    s.tcp.close();
}

// Fault injection: linger 0 makes close() send RST, so the client sees "connection reset".
void reset_connection(session& s) {
    beast::error_code ec;
    s.tcp.socket().set_option(net::socket_base::linger(true, 0), ec);
    s.tcp.close();
}

// The keep-alive loop: one request, one answer, until either side ends the connection.
template<class Stream>
net::awaitable<void> async_serve_requests(Stream& stream, session& s) {
    beast::flat_buffer buffer;
    for (bool first = true; !s.stopping; first = false) {
        s.set_waiting(true);
        http::request_parser<http::string_body> parser;
        parser.body_limit(s.options().body_limit);
        parser.header_limit(static_cast<std::uint32_t>(
            std::min<std::size_t>(s.options().header_limit, UINT32_MAX)));
        if (auto ec = co_await async_read_request(stream, s, buffer, parser, first)) {
            if (const auto why = classify(ec)) {
                co_await async_answer_and_close(stream, s, answer_for(*why, s.options()));
            }
            co_return;
        }
        auto& msg = parser.get();
        const bool head = msg.method() == http::verb::head;
        auto res = co_await async_answer(msg, s);
        if (!res || res->reset) {
            reset_connection(s);
            co_return;
        }
        if (res->on_stream) {
            if (!co_await async_send_stream(stream, s, *res, msg.version())) {
                co_return;
            }
            break;
        }
        const bool keep = msg.keep_alive() && !asks_to_close(*res) && !s.stopping;
        auto out = to_beast(*res, msg.version(), head, keep, *s.ctx);
        if (!co_await async_write_message(stream, s, out)) {
            co_return;
        }
        if (!keep) {
            break;
        }
    }
    co_await async_close(stream, s);
}

// The peer's IP and port for request::remote_address; a unix-socket peer is "unix", port 0.
void set_peer(session& s, const net::generic::stream_protocol::socket& socket) {
    beast::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec || (peer.protocol().family() != AF_INET && peer.protocol().family() != AF_INET6)) {
        s.remote_address = ec ? "" : "unix";
        return;
    }
    tcp::endpoint ip;
    std::memcpy(ip.data(), peer.data(), peer.size());
    ip.resize(peer.size());
    s.remote_address = ip.address().to_string();
    s.remote_port = ip.port();
}

template<class Stream>
net::awaitable<void> async_serve(Stream& stream, std::shared_ptr<server_context> ctx,
                                 admission how) {
    auto& tcp = beast::get_lowest_layer(stream);
    session s{ctx, tcp};
    set_peer(s, tcp.socket());
    // Declared after the stream and s, so it deregisters before either is destroyed.
    auto entry = ctx->connections.add([&s] { s.stop(); }, how == admission::serve);
    s.registration = &entry;
    if (ctx->stopping) {
        co_return; // stop() ran between accept and now
    }
    // One deadline for the TLS handshake and the first request's headers: a client that
    // connects and then trickles holds a place for no longer than this.
    s.expires_after(ctx->options.header_timeout);
    if constexpr (is_tls<Stream>) {
        s.set_busy(true);
        auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
        s.set_busy(false);
        if (hec) {
            co_return; // scanners, plain HTTP on the TLS port, clients that distrust us
        }
    }
    if (how == admission::turn_away) {
        co_await async_answer_and_close(stream, s, unavailable());
        co_return;
    }
    co_await async_serve_requests(stream, s);
}

net::awaitable<void> run_session(net::generic::stream_protocol::socket socket,
                                 std::shared_ptr<server_context> ctx, admission how) {
    socket_stream tcp{std::move(socket)};
    if (ctx->tls) {
        ssl::stream<socket_stream> stream{std::move(tcp), *ctx->tls};
        co_await async_serve(stream, std::move(ctx), how);
    } else {
        co_await async_serve(tcp, std::move(ctx), how);
    }
}

} // namespace

session::session(std::shared_ptr<server_context> context, socket_stream& stream)
    : ctx(std::move(context))
    , tcp(stream)
    , delay_timer(stream.get_executor()) {
    const auto& o = ctx->options;
    // The shortest limit any read or write is given (see io_deadline).
    const std::chrono::steady_clock::duration every =
        std::min({std::chrono::steady_clock::duration(o.header_timeout),
                  std::chrono::steady_clock::duration(o.idle_timeout),
                  std::chrono::steady_clock::duration(o.write_timeout),
                  std::chrono::steady_clock::duration(linger_limit)});
    deadline = std::make_shared<io_deadline>(stream.get_executor(), stream, every);
    watch(deadline);
}

session::~session() {
    deadline->stream = nullptr;
    deadline->timer.cancel();
}

void watch(const std::shared_ptr<io_deadline>& deadline) {
    const auto now = io_deadline::clock::now();
    deadline->timer.expires_at(std::min(deadline->at, now + deadline->check_every));
    deadline->timer.async_wait([deadline](const beast::error_code& ec) {
        if (ec || deadline->stream == nullptr) {
            return;
        }
        if (deadline->busy && io_deadline::clock::now() >= deadline->at) {
            // What Beast's timeout does: the read or write in progress fails, the
            // connection ends.
            deadline->stream->close();
            return;
        }
        watch(deadline);
    });
}

void spawn_session(net::io_context& io, accepted_socket sock, std::shared_ptr<server_context> ctx,
                   admission how) noexcept {
    try {
        net::generic::stream_protocol::socket socket{io};
        beast::error_code ec;
        const int protocol = sock.family == AF_UNIX ? 0 : IPPROTO_TCP;
        socket.assign(net::generic::stream_protocol(sock.family, protocol), sock.native_handle, ec);
        if (ec) {
            ::close(sock.native_handle);
            ctx->log("<3>http: cannot adopt an accepted socket: " + ec.message());
            return;
        }
        auto on_done = [ctx](std::exception_ptr e) {
            ctx->log_exception("<3>http: session", e);
        };
        net::co_spawn(io, run_session(std::move(socket), ctx, how), std::move(on_done));
    } catch (const std::exception& e) {
        ctx->log(std::string("<3>http: cannot start a session: ") + e.what());
    }
}

} // namespace pgshift::http::detail
