// The HTTP server's lifecycle: TLS setup, listen, the accept loop, stop.
#include "api/http_server.hpp"

#include "api/http_session.hpp"
#include "api/unix_socket.hpp"

#include <boost/asio.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/error.hpp>
#include <cstring>
#include <iostream>
#include <openssl/ssl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace pgshift::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
// TCP and unix-socket listeners share one acceptor type and one accept loop.
using generic_stream = net::generic::stream_protocol;
using acceptor_type = net::basic_socket_acceptor<generic_stream>;
// Owner and group may connect (the operator's group), nobody else.
constexpr mode_t unix_socket_mode = 0660;

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

// OpenSSL reads a TLS file by path: a FIFO would block start-up forever and /dev/zero eat
// memory, so only a regular file of sane size is handed to it.
void check_tls_file(const std::string& file, const char* what) {
    constexpr off_t limit = 1024 * 1024;
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        return; // OpenSSL names the file and the reason
    }
    if (!S_ISREG(st.st_mode)) {
        throw std::runtime_error(std::string("http server: TLS ") + what + " " + file +
                                 " is not a regular file");
    }
    if (st.st_size > limit) {
        throw std::runtime_error(std::string("http server: TLS ") + what + " " + file +
                                 " is larger than 1 MiB");
    }
}

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
    check_tls_file(*o.tls_cert_file, "certificate");
    check_tls_file(*o.tls_key_file, "key");
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

std::string describe(const server_options& o) {
    return unix_socket_path(o.address) ? o.address : o.address + ":" + std::to_string(o.port);
}

[[noreturn]] void throw_listen_error(const beast::error_code& ec, const server_options& o,
                                     std::string_view step) {
    throw std::system_error(std::error_code(ec), "http server: cannot listen on " + describe(o) +
                                                     " (" + std::string(step) + ")");
}

// The endpoint to bind: a unix socket path (a stale file cleared first) or an IP and port.
generic_stream::endpoint endpoint_of(const server_options& o) {
    if (auto path = unix_socket_path(o.address)) {
        clear_stale_socket(*path);
        return generic_stream::endpoint{net::local::stream_protocol::endpoint{*path}};
    }
    beast::error_code ec;
    const auto address = net::ip::make_address(o.address, ec);
    if (ec) {
        throw_listen_error(ec, o, "invalid address");
    }
    return generic_stream::endpoint{tcp::endpoint{address, o.port}};
}

// The port of a bound TCP endpoint; 0 for a unix socket.
std::uint16_t port_of(const generic_stream::endpoint& e) {
    if (e.protocol().family() != AF_INET && e.protocol().family() != AF_INET6) {
        return 0;
    }
    tcp::endpoint ip;
    std::memcpy(ip.data(), e.data(), e.size());
    ip.resize(e.size());
    return ip.port();
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
        if (!socket_path.empty()) {
            ::unlink(socket_path.c_str()); // ours: bound by start()
        }
        ctx->connections.close_all();
    }

    // Accepts until the acceptor closes. Holds the impl alive until the cancellation has
    // been delivered.
    static net::awaitable<void> run_accept_loop(std::shared_ptr<impl> self);

    net::io_context& io;
    std::shared_ptr<detail::server_context> ctx;
    std::optional<acceptor_type> acceptor;
    std::uint16_t port = 0;
    std::string socket_path; // set while listening on a unix socket
};

net::awaitable<void> server::impl::run_accept_loop(std::shared_ptr<impl> self) {
    auto& ctx = *self->ctx;
    net::steady_timer backoff{self->io};
    const int family = self->acceptor->local_endpoint().protocol().family();
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
        // At the cap, clients still sending their headers (slowloris among them) make room
        // first: a full house of them must not lock out a client that asks and goes.
        const bool room = ctx.connections.counted() < ctx.options.max_connections ||
                          ctx.connections.shed_oldest_waiting();
        const auto how = room ? detail::admission::serve : detail::admission::turn_away;
        if (how == detail::admission::turn_away &&
            ctx.connections.size() - ctx.connections.counted() >= max_turning_away) {
            continue; // already turning many away: the socket closes without a word
        }
        const int fd = socket.release(ec);
        if (ec) {
            ctx.log("<3>http: cannot hand over an accepted socket: " + ec.message());
            continue;
        }
        detail::spawn_session(self->io, {fd, family}, self->ctx, how);
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
    const auto endpoint = endpoint_of(o);
    const bool is_unix = endpoint.protocol().family() == AF_UNIX;
    beast::error_code ec;
    acceptor_type acceptor{impl_->io};
    if (acceptor.open(endpoint.protocol(), ec); ec) {
        throw_listen_error(ec, o, "socket");
    }
    if (!is_unix) {
        // Lets a restarted daemon bind while old connections linger in TIME_WAIT.
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (acceptor.bind(endpoint, ec); ec) {
        throw_listen_error(ec, o, "bind");
    }
    if (is_unix) {
        impl_->socket_path = *unix_socket_path(o.address);
        // Before listen(): no client can connect while the mode is still the umask's.
        if (::chmod(impl_->socket_path.c_str(), unix_socket_mode) != 0) {
            throw_listen_error(beast::error_code(errno, beast::system_category()), o, "chmod");
        }
    }
    if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
        throw_listen_error(ec, o, "listen");
    }
    impl_->port = port_of(acceptor.local_endpoint());
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
