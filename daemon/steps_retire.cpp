// Steps that take things away: the old add-on after success, everything we did on rollback.
#include "daemon/steps.hpp"
#include "daemon/steps_app.hpp"
#include "heroku/data_api.hpp"
#include "heroku/platform_api.hpp"

namespace pgshift::daemon {
namespace {

// Destroys an add-on of the app (by name or id) and waits until Heroku says it is gone.
// Idempotent: an add-on that is already gone is done. only_owned: an add-on billed to
// another app is left alone, and the history says so.
net::awaitable<step_result> destroy_addon(step_context& ctx, std::string name_or_id,
                                          bool only_owned = false) {
    poll_budget budget;
    bool asked = false;
    for (;;) {
        auto a = co_await heroku::async_get_addon(ctx.heroku, ctx.u.request.app, name_or_id);
        if (!a && heroku::is_not_found(a.err())) {
            co_return step_done{};
        }
        if (a && a->state == "deprovisioned") {
            co_return step_done{};
        }
        if (!a) {
            if (!budget.absorb(a.err())) {
                co_return heroku_failure("look up " + name_or_id, a.err());
            }
        } else if (only_owned && a->app.name != ctx.u.request.app && a->app.id != ctx.u.request.app) {
            if (!ctx.commit(event_type::effect_recorded,
                            "not removed: owned by " + a->app.name + " (" + a->name + ")")) {
                co_return superseded{};
            }
            co_return step_done{};
        } else if (!asked && a->state != "deprovisioning") {
            auto gone = co_await heroku::async_destroy_addon(ctx.heroku, a->app.id, a->id);
            if (!gone && !heroku::is_not_found(gone.err())) {
                co_return heroku_failure("destroy " + a->name, gone.err());
            }
            asked = true;
            continue;
        }
        if (!co_await ctx.nap(ctx.opts.poll_interval)) {
            co_return superseded{};
        }
    }
}

} // namespace

net::awaitable<step_result> step_removing_source(step_context& ctx) {
    upgrade& u = ctx.u;
    if (u.step_started_at && u.request.remove_source_after) {
        auto when = *u.step_started_at + *u.request.remove_source_after;
        while (ctx.now() < when) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(when - ctx.now());
            if (!co_await ctx.nap(
                    std::min<std::chrono::milliseconds>(left, std::chrono::minutes(1)))) {
                co_return superseded{};
            }
        }
    }
    // Never destroy another app's database: a DATABASE shared from another app stays.
    // (pg:addons:destroy refuses the same way.) An upgrade recorded before the owner was
    // known reads it from the add-on at destroy time instead.
    if (!u.source_app.empty() && u.source_app != u.request.app) {
        if (!ctx.commit(event_type::effect_recorded,
                        "not removed: owned by " + u.source_app + " (" + u.source_addon_name +
                            ")")) {
            co_return superseded{};
        }
        co_return step_done{};
    }
    co_return co_await destroy_addon(ctx, u.source_addon_id, true);
}

net::awaitable<step_result> step_rolling_back(step_context& ctx) {
    upgrade& u = ctx.u;
    if (!u.restore_uuid.empty()) {
        // Best effort: destroying the target ends the restore anyway.
        (void)co_await heroku::async_cancel_transfer(ctx.heroku, u.request.app, u.restore_uuid);
    }
    for (compensation c : compensation_plan(u)) {
        step_result r = step_done{};
        switch (c) {
        case compensation::scale_up:
            r = co_await scale_to(ctx, false);
            break;
        case compensation::restore_maintenance:
            r = co_await set_maintenance(ctx, *u.original_maintenance);
            break;
        case compensation::destroy_target:
            r = co_await destroy_addon(ctx, u.target_addon_name);
            break;
        }
        if (!std::holds_alternative<step_done>(r)) {
            co_return r;
        }
    }
    co_return step_done{};
}

net::awaitable<step_result> run_step(step_context& ctx) {
    switch (ctx.u.current) {
    case state::pending:
        co_return co_await step_pending(ctx);
    case state::provisioning:
        co_return co_await step_provisioning(ctx);
    case state::awaiting_window:
        co_return co_await step_awaiting_window(ctx);
    case state::entering_maintenance:
        co_return co_await step_entering_maintenance(ctx);
    case state::scaling_down:
        co_return co_await step_scaling_down(ctx);
    case state::capturing:
        co_return co_await step_capturing(ctx);
    case state::restoring:
        co_return co_await step_restoring(ctx);
    case state::verifying:
        co_return co_await step_verifying(ctx);
    case state::promoting:
        co_return co_await step_promoting(ctx);
    case state::scaling_up:
        co_return co_await step_scaling_up(ctx);
    case state::leaving_maintenance:
        co_return co_await step_leaving_maintenance(ctx);
    case state::confirming:
        co_return co_await step_confirming(ctx);
    case state::removing_source:
        co_return co_await step_removing_source(ctx);
    case state::rolling_back:
        co_return co_await step_rolling_back(ctx);
    default:
        co_return step_error{"no step for a terminal state", false};
    }
}

} // namespace pgshift::daemon
