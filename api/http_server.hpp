// The HTTP/1.1 server core (plain or HTTPS) shared by the emulator and the control API.
#pragma once

#include "api/http_types.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace pgshift::http {

struct server_options {
    // An IP address, or "unix:/path" for a unix socket (mode 0660; a stale socket file is
    // removed at start, and the file is removed again at stop).
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;                   // 0: an ephemeral port, see port(); unix: unused
    std::optional<std::string> tls_cert_file; // both set: HTTPS only (PEM chain, PEM key)
    std::optional<std::string> tls_key_file;
    std::size_t body_limit = 1024 * 1024; // larger -> 413 {"id":"request_too_large"}
    std::size_t header_limit = 16 * 1024; // larger -> 431
    // A request's line and headers must all arrive within this of their first byte (on a
    // new connection: of the accept, TLS handshake included); a slower client is closed.
    std::chrono::seconds header_timeout{5};
    std::chrono::seconds idle_timeout{30};  // a kept-alive connection between requests; a body
    std::chrono::seconds write_timeout{30}; // per response write (per chunk when streaming)
    // At the cap a new connection takes the place of the one that has waited longest without
    // finishing its headers (never one being answered or streaming); when every connection
    // is busy: 503 {"id":"unavailable"} and close.
    std::size_t max_connections = 256;
    std::string server_name = "pgshift"; // Server header
    // Bytes a stream may have queued and unsent before the peer counts as gone.
    std::size_t stream_queue_limit = 4 * 1024 * 1024;
    // One line per event an operator should see (handler exceptions, accept failures), with
    // a journald priority prefix. Called on the loop thread. Unset: written to stderr.
    std::function<void(std::string_view line)> log;
};

// Serves HTTP/1.1 with keep-alive on one io_context, run by one thread: handlers are called
// on that thread and must not block it (use response::delay or on_stream to answer later).
// A handler that throws gets a generic 500; the details go to options.log.
class server {
public:
    // Throws std::runtime_error when only one TLS file is set or the certificate or key
    // cannot be loaded.
    server(boost::asio::io_context& io, server_options opts, handler h);
    // Stops (see stop()). Destroy on the loop thread, or once the io_context is not running.
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds, listens and spawns the accept loop. Throws std::system_error naming the address
    // when the address is invalid or cannot be bound (for a unix socket also: another server
    // answers on the path, or the path is not a socket); std::logic_error when called twice.
    void start();
    // The bound port after start() (the real one when options.port was 0); 0 before, and
    // for a unix socket.
    std::uint16_t port() const;
    // Stops accepting and closes every session: idle ones at once, delayed answers and
    // streams are cut, a response being written may finish. The io_context then runs out
    // of work from this server. Idempotent. From another thread it is posted to the loop.
    void stop();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace pgshift::http
