// Plans that take things away: the old add-on after success, everything we did on rollback.
#include "statemachine/plan_common.hpp"
#include "statemachine/plans.hpp"

namespace pgshift::plan {

task<step_outcome> destroy_addon(step_env& env, std::string name_or_id, bool only_owned) {
    const upgrade& u = env.u;
    auto gone_or_again = [&env](const rq::get_addon::answer& a) -> std::optional<verdict> {
        if (!a && heroku::is_not_found(a.err())) {
            return step_done{};
        }
        if (!a) {
            return std::nullopt;
        }
        if (a->state == "deprovisioned") {
            return step_done{};
        }
        return again{env.opts.poll_interval};
    };
    std::optional<heroku::addon> a;
    step_outcome looked = co_await poll(
        env, "look up " + name_or_id,
        [&] {
            return rq::get_addon{u.request.app, name_or_id};
        },
        [&a](const rq::get_addon::answer& got) -> std::optional<verdict> {
            if (!got && !heroku::is_not_found(got.err())) {
                return std::nullopt;
            }
            if (got) {
                a = *got;
            }
            return step_done{};
        });
    if (!std::holds_alternative<step_done>(looked) || !a) {
        co_return looked; // failed, or already gone: nothing to do
    }
    if (a->state != "deprovisioned" && a->state != "deprovisioning") {
        if (only_owned && a->app.name != u.request.app && a->app.id != u.request.app) {
            co_await commit(event_type::effect_recorded,
                            "not removed: owned by " + a->app.name + " (" + a->name + ")", a->id);
            co_return step_done{};
        }
        auto gone =
            co_await act<rq::destroy_addon>("destroy", "destroy " + a->name, a->app.id, a->id);
        if (!gone && !heroku::is_not_found(gone.err())) {
            co_return heroku_failure("destroy " + a->name, gone.err());
        }
        if (gone) {
            co_await commit(event_type::effect_recorded, a->name + " destroyed", a->id);
        }
    }
    // Gone once Heroku no longer knows it, or says deprovisioned.
    co_return co_await poll(
        env, "look up " + name_or_id,
        [&] {
            return rq::get_addon{u.request.app, name_or_id};
        },
        gone_or_again);
}

task<step_outcome> plan_removing_source(step_env& env) {
    upgrade& u = env.u;
    if (u.step_started_at && u.request.remove_source_after) {
        co_await wait_until(env, *u.step_started_at + *u.request.remove_source_after);
    }
    // Never destroy another app's database: a DATABASE shared from another app stays.
    // (pg:addons:destroy refuses the same way.) An upgrade recorded before the owner was
    // known reads it from the add-on at destroy time instead.
    if (!u.source_app.empty() && u.source_app != u.request.app) {
        co_await commit(event_type::effect_recorded,
                        "not removed: owned by " + u.source_app + " (" + u.source_addon_name + ")",
                        u.source_addon_id);
        co_return step_done{};
    }
    co_return co_await destroy_addon(env, u.source_addon_id, true);
}

task<step_outcome> plan_rolling_back(step_env& env) {
    upgrade& u = env.u;
    if (!u.restore_uuid.empty()) {
        // Best effort: destroying the target ends the restore anyway.
        (void)co_await act<rq::cancel_transfer>("cancel_restore",
                                                "cancel the restore into " + u.target_addon_name,
                                                u.request.app, u.restore_uuid);
    }
    for (compensation c : compensation_plan(u)) {
        step_outcome r = step_done{};
        switch (c) {
        case compensation::scale_up:
            r = co_await scale_to(env, false);
            break;
        case compensation::restore_maintenance:
            r = co_await end_downtime(env, *u.original_maintenance);
            break;
        case compensation::destroy_target:
            r = co_await destroy_addon(env, u.target_addon_name, false);
            break;
        }
        if (!std::holds_alternative<step_done>(r)) {
            co_return r;
        }
    }
    co_return step_done{};
}

} // namespace pgshift::plan
