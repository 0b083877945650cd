// A small synchronous HTTP(S) client for tests, with a deadline on every network step.
#include "tests/support/http_client.hpp"

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <system_error>

namespace pgshift::testing {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using tls_stream = ssl::stream<beast::tcp_stream>;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

[[noreturn]] void fail(const beast::error_code& ec, const std::string& what) {
    throw std::system_error(std::error_code(ec), "http_client: " + what);
}

bool iequals(std::string_view a, std::string_view b) {
    return beast::iequals(a, b);
}

// One open connection, plain or TLS.
struct connection {
    std::optional<beast::tcp_stream> plain;
    std::optional<tls_stream> secure;
    beast::flat_buffer buffer;

    bool is_open() const { return plain || secure; }
    template<class F>
    auto visit(F&& f) {
        return secure ? f(*secure) : f(*plain);
    }
    void close() {
        beast::error_code ec;
        if (secure) {
            beast::get_lowest_layer(*secure).socket().close(ec);
        }
        if (plain) {
            plain->socket().close(ec);
        }
        secure.reset();
        plain.reset();
        buffer.clear();
    }
};

struct exchange_result {
    beast::error_code ec;
    bool got_some = false; // whether any byte of the answer arrived
    bool keep_alive = false;
    http_reply reply;
};

template<class Stream>
net::awaitable<exchange_result> async_exchange(Stream& stream, beast::flat_buffer& buffer,
                                               const http::request<http::string_body>& req,
                                               std::chrono::milliseconds timeout) {
    exchange_result r;
    auto& tcp = beast::get_lowest_layer(stream);
    tcp.expires_after(timeout);
    std::tie(r.ec, std::ignore) = co_await http::async_write(stream, req, use_tuple);
    if (r.ec) {
        co_return r;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.header_limit(1024 * 1024);
    parser.skip(req.method() == http::verb::head);
    tcp.expires_after(timeout);
    std::tie(r.ec, std::ignore) = co_await http::async_read(stream, buffer, parser, use_tuple);
    r.got_some = parser.got_some();
    if (r.ec) {
        co_return r;
    }
    auto& msg = parser.get();
    r.reply.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg) {
        r.reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    r.reply.body = std::move(msg.body());
    r.keep_alive = msg.keep_alive();
    co_return r;
}

// One deadline for the whole exchange: whatever the server sends until it closes.
template<class Stream>
net::awaitable<std::string> async_send_raw(Stream& stream, std::string bytes,
                                           std::chrono::milliseconds timeout) {
    beast::get_lowest_layer(stream).expires_after(timeout);
    std::string out;
    auto [wec, written] = co_await net::async_write(stream, net::buffer(bytes), use_tuple);
    if (wec) {
        co_return out; // the server may have answered and closed before reading it all
    }
    std::array<char, 4096> chunk{};
    for (beast::error_code ec; !ec;) {
        std::size_t n = 0;
        std::tie(ec, n) = co_await stream.async_read_some(net::buffer(chunk), use_tuple);
        out.append(chunk.data(), n);
    }
    co_return out;
}

http::request<http::string_body>
make_request(std::string_view method, std::string_view target, std::string body,
             const std::vector<std::pair<std::string, std::string>>& headers,
             const std::string& host_header) {
    http::request<http::string_body> req;
    req.version(11);
    req.method_string(method);
    req.target(target);
    req.set(http::field::host, host_header);
    req.set(http::field::user_agent, "pgshift-test");
    bool framed = false;
    for (const auto& [name, value] : headers) {
        req.insert(name, value);
        framed = framed || iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding");
    }
    req.body() = std::move(body);
    if (!framed) {
        req.prepare_payload();
    }
    return req;
}

} // namespace

std::optional<std::string> http_reply::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return std::nullopt;
}

struct http_client::impl {
    std::string host;
    std::uint16_t port = 0;
    std::optional<ssl::context> tls;
    net::io_context io;
    connection kept;
    std::chrono::milliseconds timeout{5000};
    std::size_t opened = 0;

    // Runs one coroutine to completion on the private io_context; rethrows its exception.
    template<class T>
    T run(net::awaitable<T> op) {
        io.restart();
        auto result = net::co_spawn(io, std::move(op), net::use_future);
        io.run();
        return result.get();
    }

    net::awaitable<tcp::resolver::results_type> async_resolve() {
        using namespace net::experimental::awaitable_operators;
        const auto executor = co_await net::this_coro::executor;
        tcp::resolver resolver{executor};
        net::steady_timer deadline{executor, timeout};
        auto outcome = co_await (resolver.async_resolve(host, std::to_string(port), use_tuple) ||
                                 deadline.async_wait(use_tuple));
        if (outcome.index() == 1) {
            fail(net::error::timed_out, "resolving " + host);
        }
        auto [ec, endpoints] = std::get<0>(std::move(outcome));
        if (ec) {
            fail(ec, "resolving " + host);
        }
        co_return endpoints;
    }

    net::awaitable<void> async_connect(connection& c) {
        const auto endpoints = co_await async_resolve();
        beast::tcp_stream stream{co_await net::this_coro::executor};
        stream.expires_after(timeout);
        auto [ec, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
        if (ec) {
            fail(ec, "connecting to " + host + ":" + std::to_string(port));
        }
        if (!tls) {
            c.plain.emplace(std::move(stream));
            co_return;
        }
        tls_stream secure{std::move(stream), *tls};
        beast::error_code not_ip;
        net::ip::make_address(host, not_ip);
        // SNI carries names only; an IP address is checked against the certificate's SAN.
        if (not_ip && SSL_set_tlsext_host_name(secure.native_handle(), host.c_str()) != 1) {
            fail(net::error::invalid_argument, "setting SNI for " + host);
        }
        secure.set_verify_mode(ssl::verify_peer);
        secure.set_verify_callback(ssl::host_name_verification(host));
        beast::get_lowest_layer(secure).expires_after(timeout);
        auto [hec] = co_await secure.async_handshake(ssl::stream_base::client, use_tuple);
        if (hec) {
            fail(hec, "TLS handshake with " + host);
        }
        c.secure.emplace(std::move(secure));
    }
};

http_client::http_client(std::string host, std::uint16_t port, std::optional<std::string> ca_file)
    : impl_(std::make_unique<impl>()) {
    impl_->host = std::move(host);
    impl_->port = port;
    if (ca_file) {
        impl_->tls.emplace(ssl::context::tls_client);
        impl_->tls->load_verify_file(*ca_file);
    }
}

http_client::~http_client() = default;

http_reply http_client::request(std::string_view method, std::string_view target, std::string body,
                                std::vector<std::pair<std::string, std::string>> headers) {
    const auto req = make_request(method, target, std::move(body), headers,
                                  impl_->host + ":" + std::to_string(impl_->port));
    for (int attempt = 0;; ++attempt) {
        const bool reused = impl_->kept.is_open();
        if (!reused) {
            impl_->run(impl_->async_connect(impl_->kept));
            ++impl_->opened;
        }
        auto result = impl_->run(impl_->kept.visit([&](auto& stream) {
            return async_exchange(stream, impl_->kept.buffer, req, impl_->timeout);
        }));
        if (!result.ec) {
            if (!result.keep_alive) {
                close();
            }
            return std::move(result.reply);
        }
        close();
        // A kept-alive connection the server closed in the meantime: retry once, afresh.
        if (!reused || result.got_some || attempt > 0) {
            fail(result.ec, std::string(method) + " " + std::string(target));
        }
    }
}

std::string http_client::send_raw(std::string bytes) {
    connection fresh;
    impl_->run(impl_->async_connect(fresh));
    auto out = impl_->run(fresh.visit(
        [&](auto& stream) { return async_send_raw(stream, std::move(bytes), impl_->timeout); }));
    fresh.close();
    return out;
}

void http_client::close() {
    impl_->kept.close();
}

std::size_t http_client::connections_opened() const {
    return impl_->opened;
}

void http_client::set_timeout(std::chrono::milliseconds timeout) {
    impl_->timeout = timeout;
}

} // namespace pgshift::testing
