// The HTTP server's lifecycle: TLS setup, listen, the accept loop, stop.
#include "api/http_server.hpp"

#include "api/http_session.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/error.hpp>
#include <iostream>
#include <openssl/ssl.h>
#include <stdexcept>
#include <system_error>

namespace pgshift::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// Connections being turned away with a 503 at once, beyond which more are closed unanswered.
constexpr std::size_t max_turning_away = 64;

namespace detail {

server_context::server_context(server_options opts, handler h,
                               std::unique_ptr<ssl::context> tls_context)
    : options(std::move(opts))
    , handle(std::move(h))
    , tls(std::move(tls_context)) {}

server_context::~server_context() = default;

void server_context::log(std::string_view line) const {
    if (options.log) {
        options.log(line);
    } else {
        std::cerr << line << '\n';
    }
}

void server_context::log_exception(std::string_view prefix, std::exception_ptr e) const {
    try {
        if (e) {
            std::rethrow_exception(e);
        }
    } catch (const std::exception& ex) {
        log(std::string(prefix) + " ended by an exception: " + ex.what());
    } catch (...) {
        log(std::string(prefix) + " ended by an unknown exception");
    }
}

} // namespace detail

namespace {

std::unique_ptr<ssl::context> make_tls_context(const server_options& o) {
    if (!o.tls_cert_file && !o.tls_key_file) {
        return nullptr;
    }
    if (!o.tls_cert_file || !o.tls_key_file) {
        throw std::runtime_error("http server: tls_cert_file and tls_key_file go together");
    }
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    ctx->use_certificate_chain_file(*o.tls_cert_file, ec);
    if (ec) {
        throw std::runtime_error("http server: cannot load TLS certificate " + *o.tls_cert_file +
                                 ": " + ec.message());
    }
    ctx->use_private_key_file(*o.tls_key_file, ssl::context::pem, ec);
    if (ec) {
        throw std::runtime_error("http server: cannot load TLS key " + *o.tls_key_file + ": " +
                                 ec.message());
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        throw std::runtime_error("http server: TLS key " + *o.tls_key_file +
                                 " does not match certificate " + *o.tls_cert_file);
    }
    return ctx;
}

[[noreturn]] void throw_listen_error(const beast::error_code& ec, const server_options& o,
                                     std::string_view step) {
    throw std::system_error(std::error_code(ec), "http server: cannot listen on " + o.address +
                                                     ":" + std::to_string(o.port) + " (" +
                                                     std::string(step) + ")");
}

} // namespace

struct server::impl {
    impl(net::io_context& io_context, std::shared_ptr<detail::server_context> context)
        : io(io_context)
        , ctx(std::move(context)) {}

    // Closes the acceptor (ending the accept loop) and every session. Loop thread only.
    void stop_now() {
        if (ctx->stopping) {
            return;
        }
        ctx->stopping = true;
        if (acceptor) {
            beast::error_code ec;
            acceptor->close(ec);
        }
        ctx->connections.close_all();
    }

    // Accepts until the acceptor closes. Holds the impl alive until the cancellation has
    // been delivered.
    static net::awaitable<void> run_accept_loop(std::shared_ptr<impl> self);

    net::io_context& io;
    std::shared_ptr<detail::server_context> ctx;
    std::optional<tcp::acceptor> acceptor;
    std::uint16_t port = 0;
};

net::awaitable<void> server::impl::run_accept_loop(std::shared_ptr<impl> self) {
    auto& ctx = *self->ctx;
    net::steady_timer backoff{self->io};
    const bool ipv6 = self->acceptor->local_endpoint().protocol() == tcp::v6();
    for (;;) {
        auto [ec, socket] = co_await self->acceptor->async_accept(use_tuple);
        if (ctx.stopping || ec == net::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            // EMFILE and friends: say so, then pause instead of spinning on the error.
            ctx.log("<4>http: accept failed: " + ec.message());
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(use_tuple);
            continue;
        }
        const auto how = ctx.connections.counted() < ctx.options.max_connections
                             ? detail::admission::serve
                             : detail::admission::turn_away;
        if (how == detail::admission::turn_away &&
            ctx.connections.size() - ctx.connections.counted() >= max_turning_away) {
            continue; // already turning many away: the socket closes without a word
        }
        const int fd = socket.release(ec);
        if (ec) {
            ctx.log("<3>http: cannot hand over an accepted socket: " + ec.message());
            continue;
        }
        detail::spawn_session(self->io, {fd, ipv6}, self->ctx, how);
    }
}

server::server(net::io_context& io, server_options opts, handler h) {
    auto tls = make_tls_context(opts);
    impl_ = std::make_shared<impl>(io, std::make_shared<detail::server_context>(
                                           std::move(opts), std::move(h), std::move(tls)));
}

server::~server() {
    impl_->stop_now();
}

void server::start() {
    if (impl_->acceptor || impl_->ctx->stopping) {
        throw std::logic_error("http server: start() called twice or after stop()");
    }
    const auto& o = impl_->ctx->options;
    beast::error_code ec;
    const auto address = net::ip::make_address(o.address, ec);
    if (ec) {
        throw_listen_error(ec, o, "invalid address");
    }
    const tcp::endpoint endpoint{address, o.port};
    tcp::acceptor acceptor{impl_->io};
    if (acceptor.open(endpoint.protocol(), ec); ec) {
        throw_listen_error(ec, o, "socket");
    }
    // Lets a restarted daemon bind while old connections linger in TIME_WAIT.
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (acceptor.bind(endpoint, ec); ec) {
        throw_listen_error(ec, o, "bind");
    }
    if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
        throw_listen_error(ec, o, "listen");
    }
    impl_->port = acceptor.local_endpoint().port();
    impl_->acceptor.emplace(std::move(acceptor));
    net::co_spawn(impl_->io, impl::run_accept_loop(impl_),
                  [ctx = impl_->ctx](std::exception_ptr e) {
                      ctx->log_exception("<2>http: accept loop", e);
                  });
}

std::uint16_t server::port() const {
    return impl_->port;
}

void server::stop() {
    // dispatch runs it inline on the loop thread and posts it from any other thread.
    net::dispatch(impl_->io, [self = impl_] { self->stop_now(); });
}

} // namespace pgshift::http
