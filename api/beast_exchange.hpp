// The Beast side of one exchange: a parsed message to the handler, a failed read to its
// answer. Internal to the server core (only http_session and beast_exchange include it).
#pragma once

#include "api/exchange.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace pgshift::http::detail {

using beast_request = boost::beast::http::request<boost::beast::http::string_body>;

// Converts the parsed message and calls the handler. A target that does not parse gets 400
// and ends the connection like any other malformed request.
response answer(beast_request& msg, const server_context& ctx, const std::string& remote_address,
                std::uint16_t remote_port);

// Why a failed read deserves an answer, or nullopt when the connection should just close
// (peer gone, timeout, end of stream: a peer that closed mid-request gets partial_message).
std::optional<read_failure> classify(const boost::beast::error_code& ec);

} // namespace pgshift::http::detail
