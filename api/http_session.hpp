// One HTTP connection's life, from an accepted socket to close (internal to api/).
#pragma once

#include "api/connection_registry.hpp"
#include "api/http_server.hpp"

#include <exception>
#include <memory>
#include <string_view>

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
} // namespace boost::asio

namespace pgshift::http::detail {

// What every session of one server shares. Sessions hold it by shared_ptr, so a server
// destroyed while they drain leaves them nothing dangling.
struct server_context {
    server_context(server_options opts, handler h, std::unique_ptr<boost::asio::ssl::context> tls);
    ~server_context(); // defined where ssl::context is complete

    // Writes one operator-facing line to options.log, or stderr when that is unset.
    void log(std::string_view line) const;
    // Logs "<prefix> ended by an exception: <what>" when e is set (co_spawn completions).
    void log_exception(std::string_view prefix, std::exception_ptr e) const;

    server_options options;
    handler handle;
    std::unique_ptr<boost::asio::ssl::context> tls; // null: plain HTTP
    connection_registry connections;
    bool stopping = false; // set once by server::stop()
};

// An accepted socket (TCP or unix) handed over as its native descriptor: this keeps Asio's
// socket types out of a header that two .cpp files share.
struct accepted_socket {
    int native_handle = -1;
    int family = 0; // AF_INET, AF_INET6 or AF_UNIX
};

enum class admission {
    serve,     // a normal session
    turn_away, // over max_connections: answer 503 "unavailable" and close
};

// Takes ownership of sock and spawns its session on io. Does not throw: failures are
// logged and the socket closed.
void spawn_session(boost::asio::io_context& io, accepted_socket sock,
                   std::shared_ptr<server_context> ctx, admission how) noexcept;

} // namespace pgshift::http::detail
