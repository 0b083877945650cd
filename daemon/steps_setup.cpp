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

namespace {

// "15.4" -> "15"; before Postgres 10 the major version had two parts ("9.6.24" -> "9.6").
std::string major_of(const std::string& version) {
    auto first = version.find('.');
    if (first == std::string::npos) {
        return version;
    }
    if (version.compare(0, first, "9") == 0 || version.compare(0, first, "8") == 0) {
        return version.substr(0, version.find('.', first + 1));
    }
    return version.substr(0, first);
}

} // namespace

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
    auto it = std::find_if(attachments->begin(), attachments->end(),
                           [](const auto& a) { return a.name == "DATABASE" && !a.name_space; });
    if (it == attachments->end()) {
        co_return step_error{"app " + u.request.app + " has no add-on attached as DATABASE", false};
    }
    // Plain v3 attachments carry no plan: the add-on itself has plan.name and its owning app.
    auto source = co_await heroku::async_get_addon(ctx.heroku, u.request.app, it->addon.id);
    if (!source) {
        co_return heroku_failure("read add-on " + it->addon.name, source.err());
    }
    if (!source->plan_name.starts_with("heroku-postgresql:")) {
        co_return step_error{"DATABASE of " + u.request.app + " is " + source->name + " (" +
                                 source->plan_name + "), not a heroku-postgresql add-on",
                             false};
    }
    auto info = co_await heroku::async_database_info(ctx.heroku, source->id);
    if (!info) {
        co_return heroku_failure("database info of " + source->name, info.err());
    }
    bool version_known = info->postgres_version && !info->postgres_version->empty();
    if (!version_known && !u.request.pg_version) {
        co_return step_error{"database info of " + source->name +
                                 ": field \"postgres_version\" is missing; name a version "
                                 "to pin the target",
                             false};
    }
    u.source_addon_id = source->id;
    u.source_addon_name = source->name;
    u.source_plan = source->plan_name;
    u.source_app = source->app.name;
    u.source_version = info->postgres_version.value_or("");
    // No silent major-version change: the target runs the source's major unless asked.
    u.target_version = u.request.pg_version.value_or(major_of(u.source_version));
    std::string owner = u.source_app == u.request.app ? "" : ", owned by " + u.source_app;
    if (!ctx.commit(event_type::effect_recorded,
                    "source " + source->name + " (" + source->plan_name + ", Postgres " +
                        (version_known ? u.source_version : "unknown") + owner +
                        "); target Postgres " + u.target_version)) {
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
        // Pinned in the first step: Heroku's default for a new add-on may be a newer major.
        request.version = u.target_version.empty() ? u.request.pg_version
                                                   : std::optional(u.target_version);
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

// Before any downtime: the new database runs the pinned major version, or nothing happens.
net::awaitable<step_result> check_target_version(step_context& ctx) {
    const upgrade& u = ctx.u;
    if (u.target_version.empty()) {
        co_return step_done{}; // recorded by a pgshift that did not pin versions yet
    }
    auto info = co_await heroku::async_database_info(ctx.heroku, u.target_addon_id);
    if (!info) {
        co_return heroku_failure("database info of " + u.target_addon_name, info.err());
    }
    std::string runs = info->postgres_version.value_or("");
    if (runs.empty()) {
        // Not reported yet (or an answer without it): only Heroku's own version can fail this.
        co_return step_error{"database info of " + u.target_addon_name +
                                 " does not say its Postgres version yet",
                             true};
    }
    if (major_of(runs) != u.target_version) {
        co_return step_error{"the new database runs Postgres " + (runs.empty() ? "?" : runs) +
                                 ", not " + u.target_version,
                             false};
    }
    co_return step_done{};
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
    r = co_await await_database_ready(ctx);
    if (!std::holds_alternative<step_done>(r)) {
        co_return r;
    }
    co_return co_await check_target_version(ctx);
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
