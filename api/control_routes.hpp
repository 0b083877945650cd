// The control API (docs/control-api.md) as an http::handler: route table, auth, handlers.
#pragma once

#include "api/control_backend.hpp"
#include "api/http_server.hpp"
#include "api/http_types.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace pgshift::api {

inline constexpr std::size_t control_body_limit = 64 * 1024;

struct control_options {
    // Set: every route but GET /healthz needs "Authorization: Bearer <token>".
    std::optional<std::string> token{};
    // Event streams re-read the history this often, and send a comment when idle this long.
    std::chrono::milliseconds poll_interval{200};
    std::chrono::milliseconds keep_alive_interval{15'000};
    // Operator-facing lines (journald-prefixed), e.g. why a stream ended early. Unset: none.
    std::function<void(std::string_view line)> log{};
};

// The handler to give http::server. Requests and event streams run on io's thread and call
// backend there; backend and io must outlive the server and every stream (streams end
// within poll_interval once the server stops). Throws nothing; handler exceptions become the
// server's generic 500 (details in the server's log).
http::handler make_control_handler(boost::asio::io_context& io, control_backend& backend,
                                   control_options options);

// Server options for the control API on address ("127.0.0.1", "::1", "unix:/run/x.sock"):
// the 64 KiB body limit and the connection limits of the contract.
http::server_options control_server_options(std::string address, std::uint16_t port);

// True when clients on address can only be local (loopback IP or unix socket): the token
// is optional there and mandatory anywhere else.
bool is_local_address(std::string_view address);

} // namespace pgshift::api
