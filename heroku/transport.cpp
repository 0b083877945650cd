// Beast HTTP/1.1 client exchanges: TLS verification, SNI, deadlines, keep-alive pool, a cap
// on open connections per origin.
#include "heroku/transport.hpp"

#include "heroku/api_error.hpp"
#include "heroku/origin_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <stdexcept>
#include <utility>

namespace pgshift::heroku {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

using detail::connection;
using detail::connection_ptr;
using detail::lease;
using detail::origin_pool;
using detail::slot;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

wire_failure failure(failure_kind kind, const char* id, std::string message) {
    return wire_failure{.kind = kind, .id = id, .message = std::move(message)};
}

// Cancellation by our caller (shutdown) is final; the deadline is a timeout; the rest is a
// network error of the given kind.
wire_failure classify(const beast::error_code& ec, failure_kind kind, std::string_view what) {
    if (ec == net::error::operation_aborted) {
        return failure(failure_kind::final, error_ids::cancelled,
                       std::string(what) + ": cancelled");
    }
    if (ec == beast::error::timeout) {
        return failure(kind, error_ids::timeout, std::string(what) + ": deadline passed");
    }
    return failure(kind, error_ids::network, std::string(what) + ": " + ec.message());
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

http::request<http::string_body> make_message(const base_url& base, const wire_request& req) {
    http::request<http::string_body> msg;
    msg.version(11);
    msg.method_string(req.method);
    msg.target(req.target);
    msg.set(http::field::host, base.host_header());
    for (const auto& h : req.headers) {
        msg.set(h.name, h.value);
    }
    if (req.body) {
        msg.body() = *req.body;
    }
    msg.keep_alive(true);
    msg.prepare_payload();
    return msg;
}

wire_response to_wire(http::response<http::string_body>&& res) {
    wire_response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    out.body = std::move(res.body());
    return out;
}

struct round_trip_result {
    std::variant<wire_response, wire_failure> result;
    bool nothing_received = false; // the failure came before any answer byte
    bool keep_alive = false;
};

template<class Stream>
net::awaitable<round_trip_result>
async_round_trip(Stream& stream, connection& conn, http::request<http::string_body>& msg,
                 clock_type::time_point deadline, std::size_t body_limit) {
    conn.lowest().expires_at(deadline);
    const auto [write_ec, written] = co_await http::async_write(stream, msg, use_tuple);
    if (write_ec) {
        co_return round_trip_result{classify(write_ec, failure_kind::no_answer, "sending"), true,
                                    false};
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    parser.header_limit(64 * 1024);
    conn.lowest().expires_at(deadline);
    const auto [read_ec, got] = co_await http::async_read(stream, conn.buffer, parser, use_tuple);
    if (read_ec == http::error::body_limit) {
        co_return round_trip_result{
            failure(failure_kind::final, error_ids::invalid_response,
                    "the answer is larger than " + std::to_string(body_limit) + " bytes"),
            false, false};
    }
    if (read_ec) {
        co_return round_trip_result{classify(read_ec, failure_kind::no_answer, "reading"), got == 0,
                                    false};
    }
    auto res = parser.release();
    const bool keep = res.keep_alive();
    co_return round_trip_result{to_wire(std::move(res)), false, keep};
}

} // namespace

std::optional<std::string> wire_response::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequal(h.name, name)) {
            return h.value;
        }
    }
    return std::nullopt;
}

struct transport::impl {
    net::any_io_executor executor;
    transport_options opts;
    ssl::context tls{ssl::context::tls_client};
    std::map<std::string, std::shared_ptr<origin_pool>, std::less<>> pools;
    std::size_t opened = 0;

    impl(net::any_io_executor ex, transport_options o);
    origin_pool& pool_for(const std::string& origin);
    const origin_pool* find_pool(std::string_view origin) const;
    net::awaitable<std::variant<connection_ptr, wire_failure>>
    async_open(const base_url& base, clock_type::time_point deadline, slot place);
    net::awaitable<std::optional<wire_failure>>
    async_tls_handshake(connection& conn, const base_url& base, clock_type::time_point deadline);
    net::awaitable<round_trip_result> async_send(connection& conn,
                                                 http::request<http::string_body>& msg,
                                                 clock_type::time_point deadline);
};

transport::impl::impl(net::any_io_executor ex, transport_options o)
    : executor(std::move(ex))
    , opts(std::move(o)) {
    boost::system::error_code ec;
    tls.set_verify_mode(ssl::verify_peer, ec);
    if (!ec) {
        if (opts.ca_file) {
            tls.load_verify_file(*opts.ca_file, ec);
        } else {
            tls.set_default_verify_paths(ec);
        }
    }
    if (ec) {
        throw std::runtime_error("heroku client: cannot load the TLS trust store" +
                                 (opts.ca_file ? " from " + *opts.ca_file : std::string()) + ": " +
                                 ec.message());
    }
    // TLS 1.2 is the oldest version Heroku's endpoints accept; refuse anything older.
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
}

origin_pool& transport::impl::pool_for(const std::string& origin) {
    auto& pool = pools[origin];
    if (!pool) {
        pool = std::make_shared<origin_pool>(opts.max_connections_per_origin,
                                             opts.max_idle_per_origin);
    }
    return *pool;
}

const origin_pool* transport::impl::find_pool(std::string_view origin) const {
    const auto it = pools.find(origin);
    return it == pools.end() ? nullptr : it->second.get();
}

net::awaitable<std::variant<connection_ptr, wire_failure>>
transport::impl::async_open(const base_url& base, clock_type::time_point deadline, slot place) {
    using namespace net::experimental::awaitable_operators;
    tcp::resolver resolver(executor);
    net::steady_timer timer(executor, deadline);
    auto resolved = co_await (resolver.async_resolve(base.host, base.port, use_tuple) ||
                              timer.async_wait(use_tuple));
    if (resolved.index() == 1) {
        co_return failure(failure_kind::not_sent, error_ids::timeout,
                          "resolving " + base.host + ": deadline passed");
    }
    auto& [resolve_ec, endpoints] = std::get<0>(resolved);
    if (resolve_ec) {
        co_return classify(resolve_ec, failure_kind::not_sent, "resolving " + base.host);
    }
    auto conn = std::make_unique<connection>();
    conn->place = std::move(place);
    conn->origin = base.origin();
    if (base.tls) {
        conn->secure.emplace(executor, tls);
    } else {
        conn->plain.emplace(executor);
    }
    conn->lowest().expires_at(deadline);
    const auto [connect_ec, ep] = co_await conn->lowest().async_connect(endpoints, use_tuple);
    if (connect_ec) {
        co_return classify(connect_ec, failure_kind::not_sent, "connecting to " + base.origin());
    }
    ++opened;
    if (base.tls) {
        if (auto failed = co_await async_tls_handshake(*conn, base, deadline)) {
            co_return std::move(*failed);
        }
    }
    co_return conn;
}

net::awaitable<std::optional<wire_failure>>
transport::impl::async_tls_handshake(connection& conn, const base_url& base,
                                     clock_type::time_point deadline) {
    auto& stream = *conn.secure;
    // SNI: Heroku's load balancers pick the certificate by it. RFC 6066 forbids IP literals.
    if (!is_ip_literal(base.host) &&
        SSL_set_tlsext_host_name(stream.native_handle(), base.host.c_str()) != 1) {
        co_return failure(failure_kind::final, error_ids::tls, "cannot set SNI " + base.host);
    }
    // Checks the certificate's names (DNS or IP SANs) against the host we asked for.
    stream.set_verify_callback(ssl::host_name_verification(base.host));
    conn.lowest().expires_at(deadline);
    const auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
    if (!ec) {
        co_return std::nullopt;
    }
    if (ec.category() == net::error::get_ssl_category()) {
        // Verification failures: retrying cannot help, so they are final.
        co_return failure(failure_kind::final, error_ids::tls,
                          "TLS handshake with " + base.host + " failed: " + ec.message());
    }
    co_return classify(ec, failure_kind::not_sent, "TLS handshake with " + base.host);
}

net::awaitable<round_trip_result> transport::impl::async_send(connection& conn,
                                                              http::request<http::string_body>& msg,
                                                              clock_type::time_point deadline) {
    if (conn.secure) {
        co_return co_await async_round_trip(*conn.secure, conn, msg, deadline, opts.body_limit);
    }
    co_return co_await async_round_trip(*conn.plain, conn, msg, deadline, opts.body_limit);
}

transport::transport(net::any_io_executor executor, transport_options opts)
    : impl_(std::make_unique<impl>(std::move(executor), std::move(opts))) {}

transport::~transport() = default;

net::awaitable<wire_result> transport::async_exchange(const base_url& base, wire_request request) {
    const auto deadline = clock_type::now() + impl_->opts.timeout;
    auto msg = make_message(base, request);
    const auto origin = base.origin();
    // Kept alive by the map for the transport's life, which outlasts this exchange.
    auto& pool = impl_->pool_for(origin);
    auto acquired = co_await detail::async_acquire(pool, origin, request.idempotent, deadline);
    if (auto* failed = std::get_if<wire_failure>(&acquired)) {
        co_return std::move(*failed);
    }
    auto& got = std::get<lease>(acquired);
    auto conn = std::move(got.pooled);
    const bool reused = conn != nullptr;
    if (!conn) {
        auto opened = co_await impl_->async_open(base, deadline, std::move(got.place));
        if (auto* failed = std::get_if<wire_failure>(&opened)) {
            co_return std::move(*failed);
        }
        conn = std::move(std::get<connection_ptr>(opened));
    }
    auto trip = co_await impl_->async_send(*conn, msg, deadline);
    const auto* failed = std::get_if<wire_failure>(&trip.result);
    if (failed && reused && trip.nothing_received && failed->id == error_ids::network) {
        // Almost always the server closed this keep-alive connection while it sat idle, and
        // the request never arrived. Only idempotent requests take pooled connections, so
        // sending it again on a new connection is safe either way. The new connection takes
        // the dead one's place rather than queueing again.
        auto place = std::move(conn->place);
        conn.reset();
        auto opened = co_await impl_->async_open(base, deadline, std::move(place));
        if (auto* open_failed = std::get_if<wire_failure>(&opened)) {
            co_return std::move(*open_failed);
        }
        conn = std::move(std::get<connection_ptr>(opened));
        trip = co_await impl_->async_send(*conn, msg, deadline);
    }
    if (trip.keep_alive && std::holds_alternative<wire_response>(trip.result)) {
        conn->lowest().expires_never(); // idle in the pool: the next exchange sets a deadline
        pool.put_back(std::move(conn));
    }
    // Any other connection closes here and gives its place to the line's front.
    co_return std::move(trip.result);
}

std::size_t transport::connections_opened() const {
    return impl_->opened;
}

std::size_t transport::open_connections(std::string_view origin) const {
    const auto* pool = impl_->find_pool(origin);
    return pool ? pool->open : 0;
}

std::size_t transport::waiting(std::string_view origin) const {
    const auto* pool = impl_->find_pool(origin);
    return pool ? pool->line.size() : 0;
}

void transport::close_idle() {
    for (auto& [origin, pool] : impl_->pools) {
        pool->idle.clear();
    }
}

} // namespace pgshift::heroku
