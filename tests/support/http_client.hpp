// A small synchronous HTTP(S) client for tests, with a deadline on every network step.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshift::testing {

struct http_reply {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // First header with this name, compared case-insensitively; nullopt when absent.
    std::optional<std::string> header(std::string_view name) const;
};

// Not thread-safe: one client per test thread. Network failures and deadlines throw
// std::system_error.
class http_client {
public:
    // ca_file set: HTTPS, verifying the server against that CA (host name included) and
    // sending SNI when host is a name.
    http_client(std::string host, std::uint16_t port, std::optional<std::string> ca_file = {});
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Sends one request on the kept-alive connection, opening one when there is none (and
    // once more when a reused connection turns out closed before answering). Content-Length
    // is set from body unless headers already frame the body.
    http_reply request(std::string_view method, std::string_view target, std::string body = "",
                       std::vector<std::pair<std::string, std::string>> headers = {});

    // Writes bytes as they are on a fresh connection and returns whatever comes back until
    // the server closes or the deadline (5 s by default) passes.
    std::string send_raw(std::string bytes);

    void close();                           // drops the kept-alive connection
    std::size_t connections_opened() const; // how many connections request() has opened
    void set_timeout(std::chrono::milliseconds timeout); // per step; default 5 s

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace pgshift::testing
