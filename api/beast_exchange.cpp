// A parsed Beast message to the handler's request, and failed reads to their answers.
#include "api/beast_exchange.hpp"

#include <boost/beast/http/error.hpp>

namespace pgshift::http::detail {

namespace beast_http = boost::beast::http;

response answer(beast_request& msg, const server_context& ctx, const std::string& remote_address,
                std::uint16_t remote_port) {
    request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    if (!parse_target(req)) {
        auto res = response::error(400, "bad_request", "malformed request target");
        res.headers.push_back({"Connection", "close"});
        return res;
    }
    for (const auto& field : msg) {
        req.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    req.body = std::move(msg.body());
    req.remote_address = remote_address;
    req.remote_port = remote_port;
    return vetted(call_handler(ctx, req), ctx);
}

std::optional<read_failure> classify(const boost::beast::error_code& ec) {
    if (ec == beast_http::error::body_limit) {
        return read_failure::body_too_large;
    }
    if (ec == beast_http::error::header_limit) {
        return read_failure::headers_too_large;
    }
    const bool parse_error =
        ec.category() == boost::beast::error_code(beast_http::error::bad_target).category();
    if (parse_error && ec != beast_http::error::end_of_stream &&
        ec != beast_http::error::partial_message) {
        return read_failure::malformed;
    }
    return std::nullopt;
}

} // namespace pgshift::http::detail
