// The control API as an http::handler: auth and media type first, then the route table.
#include "api/control_routes.hpp"

#include "api/control_auth.hpp"
#include "api/control_handlers.hpp"
#include "api/control_validation.hpp"
#include "api/router.hpp"

#include <memory>

namespace pgshift::api {

namespace {

using detail::control_context;
using detail::error_response;

// The only route open without a token: liveness probes carry no secrets.
bool is_open_route(const http::request& req) {
    return req.path == "/healthz" && (req.method == "GET" || req.method == "HEAD");
}

http::router build_routes(const std::shared_ptr<control_context>& ctx) {
    http::router r;
    // The context is shared with the handlers and with event streams, which may outlive
    // the server; it holds no route, so there is no cycle.
    auto with = [ctx](auto f) {
        return [ctx, f](http::request& req) {
            return f(ctx, req);
        };
    };
    using ctx_ptr = const std::shared_ptr<control_context>&;
    r.add("POST", "/v1/upgrades",
          with([](ctx_ptr c, auto& q) { return detail::handle_create(c, q); }));
    r.add("GET", "/v1/upgrades",
          with([](ctx_ptr c, auto& q) { return detail::handle_list(*c, q); }));
    r.add("GET", "/v1/upgrades/{id}",
          with([](ctx_ptr c, auto& q) { return detail::handle_get(*c, q); }));
    r.add("GET", "/v1/upgrades/{id}/events",
          with([](ctx_ptr c, auto& q) { return detail::handle_events(c, q); }));
    for (command cmd : {command::pause, command::resume, command::cancel, command::retry}) {
        r.add("POST", "/v1/upgrades/{id}/" + std::string(to_string(cmd)),
              with([cmd](ctx_ptr c, auto& q) { return detail::handle_command(*c, q, cmd); }));
    }
    r.add("GET", "/healthz", [](http::request&) { return detail::handle_healthz(); });
    r.add("GET", "/readyz", with([](ctx_ptr c, auto&) { return detail::handle_readyz(*c); }));
    r.add("GET", "/metrics", with([](ctx_ptr c, auto&) { return detail::handle_metrics(*c); }));
    return r;
}

// Checks every request passes before routing: token, size, media type.
std::optional<api_error> refuse(const control_context& ctx, const http::request& req) {
    if (ctx.options.token && !is_open_route(req) && !bearer_matches(req, *ctx.options.token)) {
        return api_error{401, "unauthorized",
                         "a valid API token is required (Authorization: "
                         "Bearer <token>)"};
    }
    if (req.body.size() > control_body_limit) {
        // The server's parser enforces this too; this covers a server given a larger limit.
        return api_error{413, "request_too_large",
                         "request body exceeds " + std::to_string(control_body_limit) + " bytes"};
    }
    const auto type = req.header_value("Content-Type");
    if (!req.body.empty() && type && !is_json_media_type(*type)) {
        return api_error{415, "unsupported_media_type",
                         "the body must be JSON (Content-Type: application/json)"};
    }
    return std::nullopt;
}

// The handler's state: the context the routes share, and the table itself.
struct control_handler_state {
    std::shared_ptr<control_context> ctx;
    http::router routes;
};

} // namespace

http::handler make_control_handler(boost::asio::io_context& io, control_backend& backend,
                                   control_options options) {
    auto state = std::make_shared<control_handler_state>();
    state->ctx = std::make_shared<control_context>(
        control_context{io, backend, std::move(options), detail::answer_cache{}});
    state->routes = build_routes(state->ctx);
    return [state](http::request& req) {
        if (auto refused = refuse(*state->ctx, req)) {
            return error_response(*refused);
        }
        return state->routes.dispatch(req);
    };
}

http::server_options control_server_options(std::string address, std::uint16_t port) {
    http::server_options o;
    o.address = std::move(address);
    o.port = port;
    o.body_limit = control_body_limit;
    o.header_limit = 16 * 1024;
    o.idle_timeout = std::chrono::seconds(30);
    o.write_timeout = std::chrono::seconds(30);
    o.max_connections = 64; // a local operator API: a handful of clients and watchers
    o.server_name = "pgshiftd";
    return o;
}

bool is_local_address(std::string_view address) {
    if (address.rfind("unix:", 0) == 0) {
        return true;
    }
    return address == "::1" || address == "localhost" || address.rfind("127.", 0) == 0;
}

} // namespace pgshift::api
