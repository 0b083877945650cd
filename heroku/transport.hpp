// One HTTP/1.1 exchange with a Heroku host over TCP or TLS, on a keep-alive pool.
#pragma once

#include "heroku/retry.hpp"
#include "heroku/url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pgshift::heroku {

namespace net = boost::asio;

struct transport_options {
    std::optional<std::string> ca_file;       // PEM bundle to trust; unset: the system CAs
    std::chrono::milliseconds timeout{60000}; // whole exchange: connect + TLS + write + read
    std::size_t body_limit = 16 * 1024 * 1024;
    std::size_t max_idle_per_origin = 8;
    // Open connections (idle + in use + being opened) per origin. A caller over it waits in
    // line (FIFO, within its deadline) for a connection to come back or close: bursts of
    // hundreds of calls must not open hundreds of sockets (Heroku and its emulator answer
    // 503 past their own connection cap). 0 is taken as 1.
    std::size_t max_connections_per_origin = 16;
};

struct wire_header {
    std::string name;
    std::string value;
};

struct wire_request {
    std::string method;
    std::string target; // origin-form, the base URL's prefix included
    std::optional<std::string> body;
    std::vector<wire_header> headers; // Host and Content-Length are added here
    // false (a POST that creates): always a fresh connection, and never re-sent. A pooled
    // connection may have been closed by the server while idle; only an idempotent request
    // may find that out by sending into it and then resend on a new connection.
    bool idempotent = true;
};

struct wire_response {
    int status = 0;
    std::vector<wire_header> headers;
    std::string body;
    // First header with this name (case-insensitive); nullopt when absent.
    std::optional<std::string> header(std::string_view name) const;
};

struct wire_failure {
    failure_kind kind = failure_kind::final; // not_sent, no_answer or final
    std::string id;                          // an error_ids value
    std::string message;
};

using wire_result = std::variant<wire_response, wire_failure>;

// Owns the TLS context, the idle connections and the per-origin connection cap. Use from one
// thread (the io_context's); it must outlive every async_exchange in flight.
class transport {
public:
    // Throws std::runtime_error when the CA file (or the system CA paths) cannot be loaded.
    transport(net::any_io_executor executor, transport_options opts);
    ~transport();
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    // Sends request to base's origin and reads the answer. Never throws for network trouble:
    // failures come back as wire_failure. An answer of any status is a wire_response.
    net::awaitable<wire_result> async_exchange(const base_url& base, wire_request request);

    std::size_t connections_opened() const; // since construction, for tests and metrics
    std::size_t open_connections(std::string_view origin) const; // idle + in use + opening
    std::size_t waiting(std::string_view origin) const;          // callers in line for one
    void close_idle();                                           // drops every pooled connection

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace pgshift::heroku
