// The control API's handlers, one function per route (internal to api/control_*).
#pragma once

#include "api/control_backend.hpp"
#include "api/control_cache.hpp"
#include "api/control_errors.hpp"
#include "api/control_json.hpp"
#include "api/control_routes.hpp"
#include "api/http_types.hpp"

#include <memory>

namespace pgshift::api::detail {

// What every handler shares; owned by the handler the server holds.
struct control_context {
    boost::asio::io_context& io;
    control_backend& backend;
    control_options options;
    answer_cache answers{}; // GET /v1/upgrades/{id}
};

http::response error_response(const api_error& e);
// The upgrade with its step timings and waiting status, as of now, as every route shows it.
upgrade_view view_of(control_backend& backend, upgrade u);

// Deferred: the backend's check_start is asked first (ctx is held until it answers).
http::response handle_create(const std::shared_ptr<control_context>& ctx, const http::request& req);
http::response handle_list(control_context& ctx, const http::request& req);
http::response handle_get(control_context& ctx, const http::request& req);
// Holds ctx (shared) in the event stream it may start, which can outlive the server.
http::response handle_events(const std::shared_ptr<control_context>& ctx, const http::request& req);
http::response handle_command(control_context& ctx, const http::request& req, command c);
http::response handle_healthz();
http::response handle_readyz(control_context& ctx);
http::response handle_metrics(control_context& ctx);

} // namespace pgshift::api::detail
