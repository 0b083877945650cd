// The plain steps of one exchange: parse the target, call the handler safely, vet the answer.
#pragma once

#include "api/http_server.hpp"
#include "api/http_types.hpp"

#include <string_view>

namespace pgshift::http::detail {

struct server_context;

// Fills req.path and req.query from req.target. False when the target is not origin-form
// ("/path?query") or does not decode.
bool parse_target(request& req);

// Calls the server's handler. An exception (or a missing handler) is logged with the
// request line and becomes a generic 500: details never reach the client.
response call_handler(const server_context& ctx, request& req);

// res when the server can send it as is (status 200..599, token header names, single-line
// values: no header injection); otherwise a logged, generic 500.
response vetted(response res, const server_context& ctx);

// Length, chunking and connection headers are the server's business, never a handler's.
bool is_framing_header(std::string_view name);

// A handler may end keep-alive by answering with "Connection: close".
bool asks_to_close(const response& res);

// Why a request could not be read, when the client deserves an answer before the close.
enum class read_failure {
    body_too_large,    // 413
    headers_too_large, // 431
    malformed,         // 400
};
response answer_for(read_failure why, const server_options& options);

response internal_error(); // 500, generic
response unavailable();    // 503, over max_connections

} // namespace pgshift::http::detail
