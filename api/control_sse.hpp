// Server-Sent Events of an upgrade's history (GET …/events?follow=1).
#pragma once

#include "api/control_handlers.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pgshift::api {

// One SSE message: "id: <id>\nevent: <event>\ndata: <data>\n\n" (id omitted when unset).
// data must be one line, as rendered JSON is.
std::string sse_frame(std::optional<std::int64_t> id, std::string_view event,
                      std::string_view data);

namespace detail {

// Spawns the stream on ctx.io: every history entry after `after` in seq order, new ones as
// they are committed (the history is re-read every poll_interval), a ": keep-alive" comment
// after keep_alive_interval without output, and once the upgrade is terminal and every entry
// was sent, "event: end" with the upgrade JSON; then the body ends. Stops when the peer goes.
void spawn_event_stream(std::shared_ptr<control_context> ctx, std::string id, std::int64_t after,
                        std::shared_ptr<http::stream_writer> out);

} // namespace detail
} // namespace pgshift::api
