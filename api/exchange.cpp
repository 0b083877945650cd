// The plain steps of one exchange: parse the target, call the handler safely, vet the answer.
#include "api/exchange.hpp"

#include "api/http_session.hpp"
#include "api/url.hpp"

#include <algorithm>
#include <exception>
#include <string>

namespace pgshift::http::detail {

namespace {

bool is_token_char(char c) {
    return c > 0x20 && c < 0x7f &&
           std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
}

bool valid_header(const header& h) {
    return !h.name.empty() && std::all_of(h.name.begin(), h.name.end(), is_token_char) &&
           h.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

} // namespace

bool parse_target(request& req) {
    const auto parts = split_target(req.target);
    if (parts.path.empty() || parts.path.front() != '/') {
        return false;
    }
    auto path = percent_decode(parts.path);
    auto query = parse_query(parts.query);
    if (!path || !query) {
        return false;
    }
    req.path = std::move(*path);
    req.query = std::move(*query);
    return true;
}

response call_handler(const server_context& ctx, request& req) {
    // Exceptions stop here: one bad request must not end the connection, let alone the
    // server (the second error tier, caught where the session coroutine runs it).
    try {
        if (!ctx.handle) {
            throw std::logic_error("no handler installed");
        }
        return ctx.handle(req);
    } catch (const std::exception& e) {
        ctx.log("<3>http: handler failed on " + req.method + " " + req.target + ": " + e.what());
    } catch (...) {
        ctx.log("<3>http: handler failed on " + req.method + " " + req.target);
    }
    return internal_error();
}

response vetted(response res, const server_context& ctx) {
    if (res.status < 200 || res.status > 599) {
        ctx.log("<3>http: handler answered with status " + std::to_string(res.status) +
                "; sending 500");
        return internal_error();
    }
    if (!std::all_of(res.headers.begin(), res.headers.end(), valid_header)) {
        ctx.log("<3>http: handler answered with an invalid header name or value; sending 500");
        return internal_error();
    }
    return res;
}

bool is_framing_header(std::string_view name) {
    return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
           iequals(name, "Connection");
}

bool asks_to_close(const response& res) {
    return std::any_of(res.headers.begin(), res.headers.end(), [](const header& h) {
        return iequals(h.name, "Connection") && iequals(h.value, "close");
    });
}

response answer_for(read_failure why, const server_options& options) {
    switch (why) {
    case read_failure::body_too_large:
        return response::error(413, "request_too_large",
                               "request body exceeds " + std::to_string(options.body_limit) +
                                   " bytes");
    case read_failure::headers_too_large:
        return response::error(431, "request_header_fields_too_large",
                               "request headers exceed " + std::to_string(options.header_limit) +
                                   " bytes");
    case read_failure::malformed:
        break;
    }
    return response::error(400, "bad_request", "malformed HTTP request");
}

response unavailable() {
    return response::error(503, "unavailable", "too many connections, retry later");
}

response internal_error() {
    return response::error(500, "internal_error", "internal server error");
}

} // namespace pgshift::http::detail
