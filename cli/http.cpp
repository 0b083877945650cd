// The control API client over Boost.Beast: the only translation unit that includes Beast.
#include "cli/http.hpp"

#include "cli/errors.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace pgshift::cli {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;

constexpr std::size_t body_limit = 16 * 1024 * 1024;

// What one exchange ended with: a reply, or the step that failed and why.
struct exchange_outcome {
    std::optional<http_reply> reply;
    std::string failure;
    bool denied = false; // the socket's permissions refused us (EACCES on connect)
};

std::string describe(std::string_view step, const beast::error_code& ec) {
    if (ec == beast::error::timeout) {
        return std::string(step) + " timed out";
    }
    return std::string(step) + ": " + ec.message();
}

http::request<http::string_body> build_request(const api_endpoint& ep, const http_call& call) {
    http::request<http::string_body> req{http::string_to_verb(call.method),
                                         ep.base_path + call.target, 11};
    if (ep.unix_socket) {
        req.set(http::field::host, "localhost");
    } else {
        const bool v6 = ep.host.find(':') != std::string::npos;
        req.set(http::field::host,
                (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port));
    }
    req.set(http::field::user_agent, "pgshift");
    req.set(http::field::accept, "application/json");
    req.keep_alive(false);
    for (const auto& [name, value] : call.headers) {
        req.set(name, value);
    }
    if (!call.body.empty()) {
        req.set(http::field::content_type, "application/json");
    }
    req.body() = call.body;
    req.prepare_payload();
    return req;
}

// Writes the request and reads the answer; the stream is already connected.
template<class Stream>
net::awaitable<exchange_outcome> async_exchange(Stream& stream,
                                                http::request<http::string_body> req,
                                                std::chrono::milliseconds timeout) {
    exchange_outcome out;
    stream.expires_after(timeout);
    auto [wec, written] =
        co_await http::async_write(stream, req, net::as_tuple(net::use_awaitable));
    if (wec) {
        out.failure = describe("sending the request", wec);
        co_return out;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    stream.expires_after(timeout);
    auto [rec, read] =
        co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (rec) {
        out.failure = describe("reading the answer", rec);
        co_return out;
    }
    auto res = parser.release();
    http_reply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.content_type = std::string(res[http::field::content_type]);
    reply.body = std::move(res.body());
    out.reply = std::move(reply);
    beast::error_code ignored;
    stream.socket().shutdown(Stream::protocol_type::socket::shutdown_both, ignored);
    co_return out;
}

net::awaitable<exchange_outcome> async_over_tcp(api_endpoint ep, http_call call,
                                                std::chrono::milliseconds timeout) {
    auto executor = co_await net::this_coro::executor;
    tcp::resolver resolver(executor);
    // The resolver has no deadline of its own: send_request bounds the whole run.
    auto [ec, results] = co_await resolver.async_resolve(ep.host, std::to_string(ep.port),
                                                         net::as_tuple(net::use_awaitable));
    if (ec) {
        co_return exchange_outcome{{}, describe("resolving " + ep.host, ec)};
    }
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    auto [cec, connected] =
        co_await stream.async_connect(results, net::as_tuple(net::use_awaitable));
    if (cec) {
        co_return exchange_outcome{{}, describe("connecting", cec)};
    }
    co_return co_await async_exchange(stream, build_request(ep, call), timeout);
}

net::awaitable<exchange_outcome> async_over_unix(api_endpoint ep, http_call call,
                                                 std::chrono::milliseconds timeout) {
    beast::basic_stream<local> stream(co_await net::this_coro::executor);
    stream.expires_after(timeout);
    auto [cec] = co_await stream.async_connect(local::endpoint(ep.socket_path),
                                               net::as_tuple(net::use_awaitable));
    if (cec) {
        exchange_outcome out;
        out.failure = describe("connecting", cec);
        out.denied = cec == boost::system::errc::permission_denied;
        co_return out;
    }
    co_return co_await async_exchange(stream, build_request(ep, call), timeout);
}

} // namespace

http_reply send_request(const api_endpoint& endpoint, const http_call& call,
                        std::chrono::milliseconds timeout) {
    net::io_context io;
    std::optional<exchange_outcome> outcome;
    std::string crashed;
    auto done = [&](std::exception_ptr e, exchange_outcome o) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                crashed = ex.what();
            }
            return;
        }
        outcome = std::move(o);
    };
    if (endpoint.unix_socket) {
        net::co_spawn(io, async_over_unix(endpoint, call, timeout), done);
    } else {
        net::co_spawn(io, async_over_tcp(endpoint, call, timeout), done);
    }
    // A backstop over every step's own deadline (the resolver has none).
    io.run_for(timeout * 4);
    const std::string where = "pgshiftd at " + endpoint.text;
    if (!crashed.empty()) {
        throw unreachable_error("cannot reach " + where + ": " + crashed);
    }
    if (!outcome) {
        throw unreachable_error("cannot reach " + where + ": no answer in time");
    }
    if (!outcome->reply) {
        throw unreachable_error("cannot reach " + where + ": " + outcome->failure, outcome->denied);
    }
    return std::move(*outcome->reply);
}

} // namespace pgshift::cli
