// A small synchronous HTTP/1.1 client for the control API, over TCP or a unix socket.
#pragma once

#include "cli/endpoint.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace pgshift::cli {

struct http_call {
    std::string method;
    std::string target; // origin-form, without the endpoint's base path
    std::string body;   // sent as application/json when not empty
    std::vector<std::pair<std::string, std::string>> headers;
};

struct http_reply {
    int status = 0;
    std::string content_type;
    std::string body;
};

// Sends one request on a fresh connection and reads the whole answer (body at most 16 MiB).
// `timeout` bounds each step: resolve, connect, write, read. Throws unreachable_error
// (cli/errors.hpp) naming the endpoint when any step fails or times out; never throws for an
// HTTP error status.
http_reply send_request(const api_endpoint& endpoint, const http_call& call,
                        std::chrono::milliseconds timeout);

} // namespace pgshift::cli
