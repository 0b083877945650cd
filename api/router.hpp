// Route table: (method, path pattern) -> handler, with 404 vs 405 answers.
#pragma once

#include "api/http_types.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pgshift::http {

// Patterns are absolute paths whose segments are literals or "{name}" (one non-empty
// segment, captured into request::params). Matching is exact: a trailing slash or an empty
// segment ("//") matches no pattern. When several patterns match, the one whose first
// differing segment is a literal wins ("/apps/new" beats "/apps/{app}").
class router {
public:
    // Registers h. Throws std::invalid_argument on a malformed pattern, an empty method or
    // handler, or a (method, pattern) already registered: all programming errors.
    void add(std::string_view method, std::string_view pattern, handler h);

    // Fills req.params and calls the best route's handler. Without one: 404 "not_found", or
    // 405 "method_not_allowed" with an Allow header when only the method differs. A HEAD
    // request without a HEAD route uses the GET route (the server sends no body for HEAD).
    // Segments come from the raw path of req.target, decoded one by one (so "%2F" stays in
    // its segment); a hand-built request with an empty target is matched on req.path.
    // Handler exceptions propagate: the server turns them into a 500.
    response dispatch(request& req) const;

private:
    struct segment {
        std::string text; // literal text, or the parameter's name
        bool is_param = false;
    };
    struct route {
        std::string method;
        std::string pattern;
        std::vector<segment> segments;
        handler handle;
    };

    const route* find(const std::vector<std::string>& segments, std::string_view method) const;

    std::vector<route> routes_;
};

} // namespace pgshift::http
