// Plans before the downtime: find the source, provision the target, wait for the window.
#include "statemachine/plan_common.hpp"
#include "statemachine/plans.hpp"
#include "statemachine/poll_schedule.hpp"

#include <algorithm>

namespace pgshift::plan {

task<step_outcome> plan_pending(step_env& env) {
    upgrade& u = env.u;
    if (!u.source_addon_id.empty()) {
        co_return step_done{};
    }
    auto attachments = co_await ask<rq::list_attachments>(u.request.app);
    if (!attachments) {
        if (heroku::is_not_found(attachments.err())) {
            co_return step_error{"app " + u.request.app + " not found", false};
        }
        co_return heroku_failure("list attachments", attachments.err());
    }
    const heroku::attachment* db = find_attachment(*attachments, "DATABASE");
    if (db == nullptr) {
        co_return step_error{"app " + u.request.app + " has no add-on attached as DATABASE", false};
    }
    // Plain v3 attachments carry no plan: the add-on itself has plan.name and its owning app.
    auto source = co_await ask<rq::get_addon>(u.request.app, db->addon.id);
    if (!source) {
        co_return heroku_failure("read add-on " + db->addon.name, source.err());
    }
    if (!source->plan_name.starts_with("heroku-postgresql:")) {
        co_return step_error{"DATABASE of " + u.request.app + " is " + source->name + " (" +
                                 source->plan_name + "), not a heroku-postgresql add-on",
                             false};
    }
    auto info = co_await ask<rq::database_info>(source->id);
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
    // Words first: a ?: inside a co_await expression is miscompiled by GCC 12.
    const std::string words = "source " + source->name + " (" + source->plan_name + ", Postgres " +
                              (version_known ? u.source_version : "unknown") + owner +
                              "); target Postgres " + u.target_version;
    co_await commit(event_type::effect_recorded, words, source->id);
    co_return step_done{};
}

namespace {

// Finds the target by its deterministic name, or creates it: never a second one. Only an
// upgrade that asked before (the name is committed with the create's intent) looks first.
task<step_outcome> adopt_or_create_target(step_env& env, bool asked_before) {
    upgrade& u = env.u;
    if (asked_before) {
        auto found = co_await ask<rq::get_addon>(u.request.app, u.target_addon_name);
        if (found) {
            u.target_addon_id = found->id;
            co_await commit(event_type::effect_recorded, "adopted add-on " + found->name,
                            found->id);
            co_return step_done{};
        }
        if (!heroku::is_not_found(found.err())) {
            co_return heroku_failure("look up add-on " + u.target_addon_name, found.err());
        }
    }
    heroku::addon_create_request request;
    request.plan = u.request.plan;
    // Pinned in the first step: Heroku's default for a new add-on may be a newer major.
    request.version =
        u.target_version.empty() ? u.request.pg_version : std::optional(u.target_version);
    request.name = u.target_addon_name;
    const std::string what = "create add-on " + u.target_addon_name + " (" + u.request.plan +
                             (request.version ? ", Postgres " + *request.version : "") + ")";
    auto made = co_await act<rq::create_addon>("create_addon", what, u.request.app, request);
    if (!made && heroku::is_confirmation_required(made.err())) {
        request.confirm = u.request.app; // 423: not created; Heroku wants the app confirmed
        made = co_await act<rq::create_addon>(
            "create_addon", what + ", confirming the app as Heroku asked", u.request.app, request);
    }
    if (!made) {
        co_return heroku_failure("create add-on " + u.target_addon_name, made.err());
    }
    u.target_addon_id = made->id;
    co_await commit(event_type::effect_recorded, "created add-on " + made->name, made->id);
    co_return step_done{};
}

// Before any downtime: the new database runs the pinned major version, or nothing happens.
task<step_outcome> check_target_version(step_env& env) {
    const upgrade& u = env.u;
    if (u.target_version.empty()) {
        co_return step_done{}; // recorded by a pgshift that did not pin versions yet
    }
    auto info = co_await ask<rq::database_info>(u.target_addon_id);
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
        co_return step_error{"the new database runs Postgres " + runs + ", not " + u.target_version,
                             false};
    }
    co_return step_done{};
}

} // namespace

task<step_outcome> plan_provisioning(step_env& env) {
    upgrade& u = env.u;
    const bool asked_before = !u.target_addon_name.empty();
    if (!asked_before) {
        u.target_addon_name = target_addon_name(u.id); // committed with the create's intent
    }
    if (u.target_addon_id.empty()) {
        step_outcome r = co_await adopt_or_create_target(env, asked_before);
        if (!std::holds_alternative<step_done>(r)) {
            co_return r;
        }
    }
    step_outcome r = co_await poll(
        env, "add-on state",
        [&] {
            return rq::get_addon{u.request.app, u.target_addon_id};
        },
        [&, since = env.now](const rq::get_addon::answer& a) -> std::optional<verdict> {
            if (!a) {
                return std::nullopt;
            }
            if (a->state == "deprovisioned") {
                return step_error{"add-on " + u.target_addon_name +
                                      " was unable to be created (deprovisioned)",
                                  false};
            }
            if (a->state == "provisioning") {
                return again{backoff_delay(env.opts, in_downtime(u), waited(env, since))};
            }
            return step_done{};
        });
    if (!std::holds_alternative<step_done>(r)) {
        co_return r;
    }
    // pg:wait: a provisioned add-on is not yet a ready database. 404s come first.
    r = co_await poll(
        env, "wait_status", [&] { return rq::wait_status{u.target_addon_id}; },
        [&env, not_found = 0,
         since = env.now](const rq::wait_status::answer& w) mutable -> std::optional<verdict> {
            const auto next = backoff_delay(env.opts, in_downtime(env.u), waited(env, since));
            if (!w) {
                if (heroku::is_not_found(w.err()) && ++not_found <= env.opts.wait_status_404s) {
                    return again{next};
                }
                return std::nullopt;
            }
            if (w->error) {
                return step_error{"database " + env.u.target_addon_name + ": " + w->message, false};
            }
            if (w->waiting) {
                return again{next};
            }
            return step_done{};
        });
    if (!std::holds_alternative<step_done>(r)) {
        co_return r;
    }
    co_return co_await check_target_version(env);
}

task<step_outcome> wait_until(step_env& env, time_point until) {
    while (env.now < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - env.now);
        co_await wait(std::min<std::chrono::milliseconds>(left, std::chrono::minutes(1)));
    }
    co_return step_done{};
}

task<step_outcome> plan_awaiting_window(step_env& env) {
    if (!env.u.request.downtime_at) {
        co_return step_done{};
    }
    co_return co_await wait_until(env, *env.u.request.downtime_at);
}

} // namespace pgshift::plan
