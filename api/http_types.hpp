// Plain HTTP request/response values shared by the server core, the router and handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshift::http {

struct header {
    std::string name;
    std::string value;
};

struct request {
    std::string method; // as sent; HTTP methods are case-sensitive, clients send "GET"
    std::string target; // as sent, with query
    std::string path;   // percent-decoded path, no query
    std::vector<std::pair<std::string, std::string>> query; // percent-decoded, in order
    std::vector<header> headers;
    std::string body;
    std::string remote_address;                             // peer IP, e.g. "127.0.0.1"
    std::uint16_t remote_port = 0;                          // peer port (one per connection)
    std::map<std::string, std::string, std::less<>> params; // filled by the router

    // First header with this name, compared case-insensitively; nullopt when absent.
    std::optional<std::string_view> header_value(std::string_view name) const;
    // First query parameter with this (decoded, case-sensitive) name; nullopt when absent.
    std::optional<std::string_view> query_value(std::string_view name) const;
};

// A streaming response body (Server-Sent Events). Used on the loop thread only.
class stream_writer {
public:
    virtual ~stream_writer() = default;
    // Queues a chunk; false once the peer is gone (or too far behind) and the stream closed.
    virtual bool write(std::string chunk) = 0;
    // Ends the body; the connection closes once everything queued is flushed.
    virtual void finish() = 0;
    virtual bool closed() const = 0;
};

struct response {
    int status = 200;
    std::vector<header> headers;
    std::string body;                   // sent with Content-Length
    std::chrono::milliseconds delay{0}; // answer after this long, without blocking the loop
    bool reset = false;                 // drop the connection without answering (fault injection)
    // If set: status and headers are sent (chunked, no Content-Length), then this is called
    // with the writer that the handler keeps to push chunks.
    std::function<void(std::shared_ptr<stream_writer>)> on_stream;
    // If set: the real answer comes later, without blocking the loop (a handler that must ask
    // another service first). Called once with `answer`, which takes the real response and
    // may be called once, on the loop thread, at any time; a call after the connection
    // ended is ignored. Nothing else of this response is used.
    std::function<void(std::function<void(response)> answer)> deferred;

    // Content-Type: application/json.
    static response json(int status, std::string body);
    // Heroku-style error body {"id": id, "message": message}, JSON-escaped.
    static response error(int status, std::string_view id, std::string_view message);

    // Adds a header (kept in order; duplicates allowed). Returns *this for chaining.
    response& with_header(std::string name, std::string value);
};

using handler = std::function<response(request&)>;

// ASCII case-insensitive equality, as header names compare.
bool iequals(std::string_view a, std::string_view b) noexcept;

} // namespace pgshift::http
