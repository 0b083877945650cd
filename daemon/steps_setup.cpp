// Steps before the downtime: find the source, provision the target, wait for the window.
#include "daemon/crash_point.hpp"
#include "daemon/steps.hpp"
#include "heroku/data_api.hpp"
#include "heroku/platform_api.hpp"

#include <algorithm>

namespace pgshift::daemon {

step_error heroku_failure(std::string_view what, const heroku::api_error& e) {
    return step_error{std::string(what) + ": " + heroku::describe(e), heroku::is_retryable(e)};
}

std::string target_addon_name(std::string_view upgrade_id) {
    std::string name = "pgshift-";
    for (char c : upgrade_id) {
        if (c != '-' && name.size() < 8 + 16) {
            name += c;
        }
    }
    return name;
}

net::awaitable<step_result> step_pending(step_context& ctx) {
    upgrade& u = ctx.u;
    if (!u.source_addon_id.empty()) {
        co_return step_done{};
    }
    auto attachments = co_await heroku::async_list_attachments(ctx.heroku, u.request.app);
    if (!attachments) {
        if (heroku::is_not_found(attachments.err())) {
            co_return step_error{"app " + u.request.app + " not found", false};
        }
        co_return heroku_failure("list attachments", attachments.err());
    }
    auto it = std::find_if(attachments->begin(), attachments->end(), [](const auto& a) {
        return a.name == "DATABASE" && !a.name_space &&
               a.addon.plan_name.starts_with("heroku-postgresql:");
    });
    if (it == attachments->end()) {
        co_return step_error{"app " + u.request.app +
                                 " has no heroku-postgresql add-on "
                                 "attached as DATABASE",
                             false};
    }
    u.source_addon_id = it->addon.id;
    u.source_addon_name = it->addon.name;
    if (!ctx.commit(event_type::effect_recorded,
                    "source " + it->addon.name + " (" + it->addon.plan_name + ")")) {
        co_return superseded{};
    }
    co_return step_done{};
}

namespace {

// Finds the target by its deterministic name, or creates it: never a second one.
net::awaitable<step_result> adopt_or_create_target(step_context& ctx) {
    upgrade& u = ctx.u;
    auto found = co_await heroku::async_get_addon(ctx.heroku, u.request.app, u.target_addon_name);
    std::string how = "adopted";
    if (!found && !heroku::is_not_found(found.err())) {
        co_return heroku_failure("look up add-on " + u.target_addon_name, found.err());
    }
    if (!found) {
        heroku::addon_create_request request;
        request.plan = u.request.plan;
        request.version = u.request.pg_version;
        request.name = u.target_addon_name;
        found = co_await heroku::async_create_addon(ctx.heroku, u.request.app, request);
        if (!found && heroku::is_confirmation_required(found.err())) {
            request.confirm = u.request.app; // 423: not created; Heroku wants the app confirmed
            found = co_await heroku::async_create_addon(ctx.heroku, u.request.app, request);
        }
        if (!found) {
            co_return heroku_failure("create add-on " + u.target_addon_name, found.err());
        }
        crash_point("after_create_addon");
        how = "created";
    }
    u.target_addon_id = found->id;
    if (!ctx.commit(event_type::effect_recorded, how + " add-on " + found->name)) {
        co_return superseded{};
    }
    co_return step_done{};
}

net::awaitable<step_result> await_provisioned(step_context& ctx) {
    poll_budget budget;
    for (;;) {
        auto a =
            co_await heroku::async_get_addon(ctx.heroku, ctx.u.request.app, ctx.u.target_addon_id);
        if (a && a->state == "deprovisioned") {
            co_return step_error{"add-on " + ctx.u.target_addon_name +
                                     " was unable to be created (deprovisioned)",
                                 false};
        }
        if (a && a->state != "provisioning") {
            co_return step_done{};
        }
        if (!a && !budget.absorb(a.err())) {
            co_return heroku_failure("add-on state", a.err());
        }
        if (a) {
            budget.succeeded();
        }
        if (!co_await ctx.nap(ctx.opts.poll_interval)) {
            co_return superseded{};
        }
    }
}

// pg:wait: a provisioned add-on is not yet a ready database. 404s come first.
net::awaitable<step_result> await_database_ready(step_context& ctx) {
    poll_budget budget;
    int not_found = 0;
    for (;;) {
        auto w = co_await heroku::async_wait_status(ctx.heroku, ctx.u.target_addon_id);
        if (w && w->error) {
            co_return step_error{"database " + ctx.u.target_addon_name + ": " + w->message, false};
        }
        if (w && !w->waiting) {
            co_return step_done{};
        }
        if (!w) {
            bool early_404 =
                heroku::is_not_found(w.err()) && ++not_found <= ctx.opts.wait_status_404s;
            if (!early_404 && !budget.absorb(w.err())) {
                co_return heroku_failure("wait_status", w.err());
            }
        } else {
            budget.succeeded();
        }
        if (!co_await ctx.nap(ctx.opts.poll_interval)) {
            co_return superseded{};
        }
    }
}

} // namespace

net::awaitable<step_result> step_provisioning(step_context& ctx) {
    upgrade& u = ctx.u;
    if (u.target_addon_name.empty()) {
        u.target_addon_name = target_addon_name(u.id);
        if (!ctx.commit(event_type::effect_requested,
                        "provision " + u.target_addon_name + " (" + u.request.plan + ")")) {
            co_return superseded{};
        }
        crash_point("after_provision_intent");
    }
    if (u.target_addon_id.empty()) {
        step_result r = co_await adopt_or_create_target(ctx);
        if (!std::holds_alternative<step_done>(r)) {
            co_return r;
        }
    }
    step_result r = co_await await_provisioned(ctx);
    if (!std::holds_alternative<step_done>(r)) {
        co_return r;
    }
    co_return co_await await_database_ready(ctx);
}

net::awaitable<step_result> step_awaiting_window(step_context& ctx) {
    while (ctx.u.request.downtime_at && ctx.now() < *ctx.u.request.downtime_at) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            *ctx.u.request.downtime_at - ctx.now());
        if (!co_await ctx.nap(std::min<std::chrono::milliseconds>(left, std::chrono::minutes(1)))) {
            co_return superseded{};
        }
    }
    co_return step_done{};
}

} // namespace pgshift::daemon
