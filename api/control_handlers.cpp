// The control API's handlers, one function per route: validate, call the backend, render.
#include "api/control_handlers.hpp"

#include "api/control_metrics.hpp"
#include "api/control_sse.hpp"
#include "api/control_validation.hpp"

namespace pgshift::api::detail {

namespace {

// History entries read per query when a whole history is answered.
constexpr std::size_t events_page = 1000;

http::response upgrade_response(control_context& ctx, int status, upgrade u) {
    return http::response::json(status, render_upgrade(view_of(ctx.backend, std::move(u))));
}

// The app's active upgrade, if any: newest first, so it is among the first few.
std::optional<upgrade> active_upgrade_of(control_backend& backend, const std::string& app) {
    persistence::list_filter f;
    f.app = app;
    f.limit = 500;
    for (auto& u : backend.list(f).items) {
        if (!is_terminal(u.current)) {
            return std::move(u);
        }
    }
    return std::nullopt;
}

api_error active_conflict(const upgrade& active) {
    return conflict("app " + active.request.app + " already has an active upgrade " + active.id +
                        " (" + std::string(to_string(active.current)) + ")",
                    active.id);
}

// The store could not commit (a full disk): nothing was done, and the operator is told
// why, as /readyz tells it; SQLite's words hold no secret.
api_error store_unavailable(const sqlite::error& e) {
    return {503, "store_unavailable",
            std::string("the state store cannot commit (") + e.what() + "); nothing was done"};
}

// Maps a backend error on an existing upgrade to its answer.
api_error from_backend(const error& e, std::string_view id) {
    switch (e.code) {
    case errc::not_found:
        return not_found("no upgrade " + std::string(id));
    case errc::invalid:
        return {409, "invalid_state", e.message};
    case errc::stale_version:
        return {409, "invalid_state", "the upgrade moved on meanwhile; try again"};
    case errc::conflict:
        return conflict(e.message + "; try again", std::string(id));
    }
    return {};
}

// Same key and same request: the replay gets the first answer's upgrade.
std::optional<http::response> replay(control_context& ctx, std::string_view key,
                                     const upgrade_request& request) {
    auto earlier = ctx.backend.find_by_idempotency_key(key);
    if (!earlier) {
        return std::nullopt;
    }
    if (earlier->request != request) {
        return error_response(conflict("Idempotency-Key " + std::string(key) +
                                           " was used for upgrade " + earlier->id +
                                           " with another body",
                                       earlier->id));
    }
    return upgrade_response(ctx, 200, std::move(*earlier));
}

http::response create_now(control_context& ctx, const upgrade_request& request,
                          const std::optional<std::string>& key) {
    // Again: another request may have used the key while the backend was being asked.
    if (key) {
        if (auto earlier = replay(ctx, *key, request)) {
            return std::move(*earlier);
        }
    }
    if (auto active = active_upgrade_of(ctx.backend, request.app)) {
        return error_response(active_conflict(*active));
    }
    auto created = ctx.backend.start(request, key);
    if (!created) {
        const auto& e = created.err();
        if (e.code == errc::invalid) {
            return error_response({422, "invalid_params", e.message});
        }
        auto active = active_upgrade_of(ctx.backend, request.app);
        return error_response(active ? active_conflict(*active)
                                     : conflict(e.message, std::nullopt));
    }
    const std::string location = "/v1/upgrades/" + created->id;
    return upgrade_response(ctx, 201, std::move(*created)).with_header("Location", location);
}

// The rest of a start, once the backend had its say; answers exactly once.
void create_after_check(control_context& ctx, const std::optional<api_error>& refusal,
                        const upgrade_request& request, const std::optional<std::string>& key,
                        const std::function<void(http::response)>& answer) {
    http::response res;
    try {
        res = refusal ? error_response(*refusal) : create_now(ctx, request, key);
    } catch (const sqlite::error& e) {
        res = error_response(store_unavailable(e));
    } catch (const std::exception& e) {
        if (ctx.options.log) {
            ctx.options.log(std::string("<3>control api: POST /v1/upgrades failed: ") + e.what());
        }
        res = error_response(api_error{});
    }
    answer(std::move(res));
}

} // namespace

http::response error_response(const api_error& e) {
    auto res = http::response::json(e.status, render_error(e));
    if (e.status == 401) {
        res.with_header("WWW-Authenticate", "Bearer");
    }
    return res;
}

upgrade_view view_of(control_backend& backend, upgrade u) {
    auto timings = backend.timings(u.id);
    auto waiting = backend.waiting(u.id);
    // Downtime so far and estimated progress are as of this answer.
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    return {std::move(u), std::move(timings), std::move(waiting), now};
}

http::response handle_create(const std::shared_ptr<control_context>& ctx,
                             const http::request& req) {
    auto request = parse_start_body(req.body);
    if (!request) {
        return error_response(request.err());
    }
    std::optional<std::string> key;
    if (auto header = req.header_value("Idempotency-Key")) {
        if (!valid_idempotency_key(*header)) {
            return error_response(
                bad_request("Idempotency-Key must be 1 to 255 printable ASCII characters"));
        }
        key = std::string(*header);
        if (auto earlier = replay(*ctx, *key, *request)) {
            return std::move(*earlier); // a replay starts nothing: nothing to ask first
        }
    }
    http::response later;
    later.deferred = [ctx, request = std::move(*request),
                      key = std::move(key)](std::function<void(http::response)> answer) {
        ctx->backend.check_start(
            [ctx, request, key, answer = std::move(answer)](std::optional<api_error> refusal) {
                create_after_check(*ctx, refusal, request, key, answer);
            });
    };
    return later;
}

http::response handle_list(control_context& ctx, const http::request& req) {
    auto filter = parse_list_query(req.query);
    if (!filter) {
        return error_response(filter.err());
    }
    auto page = ctx.backend.list(*filter);
    std::vector<upgrade_view> views;
    views.reserve(page.items.size());
    for (auto& u : page.items) {
        views.push_back(view_of(ctx.backend, std::move(u)));
    }
    return http::response::json(200, render_upgrade_page(views, page.next));
}

http::response handle_get(control_context& ctx, const http::request& req) {
    const auto& id = req.params.at("id");
    // Asked before the store is read: a commit in between gives a newer revision than the
    // one the body is kept under, so it is never served stale.
    const auto revision = ctx.backend.revision(id);
    const auto now = answer_cache::clock::now();
    auto waiting = revision ? ctx.backend.waiting(id) : std::nullopt;
    if (revision) {
        if (const std::string* body = ctx.answers.find(id, *revision, waiting, now)) {
            return http::response::json(200, *body);
        }
    }
    auto u = ctx.backend.get(id);
    if (!u) {
        return error_response(from_backend(u.err(), id));
    }
    const bool finished = is_terminal(u->current);
    auto body = render_upgrade(view_of(ctx.backend, std::move(*u)));
    if (revision) {
        ctx.answers.put(id, *revision, std::move(waiting), finished, body, now);
    }
    return http::response::json(200, std::move(body));
}

http::response handle_events(const std::shared_ptr<control_context>& ctx,
                             const http::request& req) {
    const auto& id = req.params.at("id");
    auto q = parse_events_query(req.query, req.header_value("Last-Event-ID"),
                                req.header_value("Accept"));
    if (!q) {
        return error_response(q.err());
    }
    if (auto u = ctx->backend.get(id); !u) {
        return error_response(from_backend(u.err(), id));
    }
    if (q->follow && req.method != "HEAD") {
        http::response res;
        res.with_header("Content-Type", "text/event-stream")
            .with_header("Cache-Control", "no-cache")
            .with_header("X-Accel-Buffering", "no"); // a proxy in front must not hold events
        res.on_stream = [ctx, id, after = q->after](std::shared_ptr<http::stream_writer> out) {
            spawn_event_stream(ctx, id, after, std::move(out));
        };
        return res;
    }
    std::vector<event_record> all;
    for (std::int64_t after = q->after;;) {
        auto page = ctx->backend.events(id, after, events_page);
        const bool last = page.size() < events_page;
        if (!page.empty()) {
            after = page.back().seq;
        }
        all.insert(all.end(), std::make_move_iterator(page.begin()),
                   std::make_move_iterator(page.end()));
        if (last) {
            break;
        }
    }
    return http::response::json(200, render_events(all));
}

http::response handle_command(control_context& ctx, const http::request& req, command c) {
    const auto& id = req.params.at("id");
    std::optional<result<upgrade>> committed;
    try {
        committed = ctx.backend.command(id, c);
    } catch (const sqlite::error& e) {
        return error_response(store_unavailable(e));
    }
    auto& done = *committed;
    if (!done) {
        return error_response(from_backend(done.err(), id));
    }
    return upgrade_response(ctx, 200, std::move(*done));
}

http::response handle_healthz() {
    return http::response::json(200, R"({"status":"ok"})");
}

http::response handle_readyz(control_context& ctx) {
    if (!ctx.backend.ready()) {
        return error_response({503, "not_ready", ctx.backend.not_ready_reason()});
    }
    return http::response::json(200, R"({"status":"ready"})");
}

http::response handle_metrics(control_context& ctx) {
    http::response res;
    res.body = render_metrics(ctx.backend.metrics(), ctx.backend.ready());
    res.with_header("Content-Type", metrics_content_type);
    return res;
}

} // namespace pgshift::api::detail
