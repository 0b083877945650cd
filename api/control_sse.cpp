// Server-Sent Events of an upgrade's history: poll the backend, write frames, end at the end.
#include "api/control_sse.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgshift::api {

namespace net = boost::asio;

std::string sse_frame(std::optional<std::int64_t> id, std::string_view event,
                      std::string_view data) {
    std::string out;
    if (id) {
        out.append("id: ").append(std::to_string(*id)).append("\n");
    }
    out.append("event: ").append(event).append("\n");
    out.append("data: ").append(data).append("\n\n");
    return out;
}

namespace detail {

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t batch = 500;

// Writes every entry after `after`; false once the peer is gone.
bool send_new_events(control_context& ctx, const std::string& id, std::int64_t& after,
                     http::stream_writer& out, bool& wrote) {
    for (;;) {
        auto events = ctx.backend.events(id, after, batch);
        for (const auto& e : events) {
            if (!out.write(sse_frame(e.seq, to_string(e.type), render_event(e)))) {
                return false;
            }
            after = e.seq;
            wrote = true;
        }
        if (events.size() < batch) {
            return true;
        }
    }
}

// A named coroutine taking everything by value: its frame owns what it uses.
net::awaitable<void> run_event_stream(std::shared_ptr<control_context> ctx, std::string id,
                                      std::int64_t after,
                                      std::shared_ptr<http::stream_writer> out) {
    net::steady_timer timer{ctx->io};
    auto last_output = std::chrono::steady_clock::now();
    while (!out->closed()) {
        // The upgrade is read before its history: once it is terminal, its last entry is
        // already committed, so the history read next is complete.
        auto u = ctx->backend.get(id);
        if (!u) {
            out->finish();
            co_return;
        }
        bool wrote = false;
        if (!send_new_events(*ctx, id, after, *out, wrote)) {
            co_return;
        }
        if (is_terminal(u->current)) {
            out->write(sse_frame(std::nullopt, "end", render_upgrade(view_of(ctx->backend, *u))));
            out->finish();
            co_return;
        }
        const auto now = std::chrono::steady_clock::now();
        if (wrote) {
            last_output = now;
        } else if (now - last_output >= ctx->options.keep_alive_interval) {
            // A comment keeps proxies and idle timeouts from cutting a quiet stream.
            if (!out->write(": keep-alive\n\n")) {
                co_return;
            }
            last_output = now;
        }
        timer.expires_after(ctx->options.poll_interval);
        co_await timer.async_wait(use_tuple);
    }
}

} // namespace

void spawn_event_stream(std::shared_ptr<control_context> ctx, std::string id, std::int64_t after,
                        std::shared_ptr<http::stream_writer> out) {
    auto& io = ctx->io;
    auto on_done = [ctx, out, id](std::exception_ptr e) {
        if (!e) {
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            if (ctx->options.log) {
                ctx->options.log("<3>control api: event stream of upgrade " + id +
                                 " failed: " + x.what());
            }
        } catch (...) {
            if (ctx->options.log) {
                ctx->options.log("<3>control api: event stream of upgrade " + id + " failed");
            }
        }
        // The client learns the stream broke (details stay in the log), then it ends.
        out->write(sse_frame(std::nullopt, "error",
                             R"({"id":"internal_error","message":"internal server error"})"));
        out->finish();
    };
    net::co_spawn(io, run_event_stream(std::move(ctx), std::move(id), after, std::move(out)),
                  std::move(on_done));
}

} // namespace detail
} // namespace pgshift::api
