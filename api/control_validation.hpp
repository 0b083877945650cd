// Validation of control API input: the start body, list and events queries, headers. Pure.
#pragma once

#include "api/control_errors.hpp"
#include "persistence/upgrade_store.hpp"
#include "statemachine/decide.hpp"
#include "statemachine/result.hpp"
#include "statemachine/upgrade.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshift::api {

using query_params = std::vector<std::pair<std::string, std::string>>;

// The POST /v1/upgrades body. 400 bad_request when it is not JSON or not an object; 422
// invalid_params naming the first offending field (unknown fields included, in the body's
// key order). An optional field given as null counts as absent.
expected<upgrade_request, api_error> parse_start_body(std::string_view body);

// Field rules, exposed for the CLI and tests.
bool valid_app_name(std::string_view app) noexcept;        // ^[a-z][a-z0-9-]{1,29}$
bool valid_plan(std::string_view plan) noexcept;           // heroku-postgresql:[a-z0-9-]+
bool valid_pg_version(std::string_view version) noexcept;  // 1 to 4 digits
bool valid_webhook_url(std::string_view url) noexcept;     // http(s)://host…, no spaces
bool valid_idempotency_key(std::string_view key) noexcept; // 1..255 printable ASCII

// GET /v1/upgrades: state, app, limit (1..500, default 50), after. 400 when state or limit
// is bad; unknown parameters are ignored.
expected<persistence::list_filter, api_error> parse_list_query(const query_params& query);

// GET …/events: where to start (after, or Last-Event-ID which wins, as a reconnecting
// EventSource resends the original URL) and whether to follow.
struct events_query {
    std::int64_t after = 0;
    bool follow = false;
};
expected<events_query, api_error> parse_events_query(const query_params& query,
                                                     std::optional<std::string_view> last_event_id,
                                                     std::optional<std::string_view> accept);

// "pause" | "resume" | "cancel" | "retry".
std::optional<command> parse_command(std::string_view name) noexcept;

// application/json, with parameters or a +json suffix. Missing Content-Type is not this
// function's business.
bool is_json_media_type(std::string_view content_type) noexcept;

} // namespace pgshift::api
