// Plans on the app itself: maintenance mode and the formation, down and back up.
#include "statemachine/plan_common.hpp"
#include "statemachine/plans.hpp"

#include <algorithm>

namespace pgshift::plan {
namespace {

bool scaled_to_zero_too(const std::string& type) {
    return type != "web" && type != "release";
}

bool formation_matches(const std::vector<heroku::formation_entry>& now,
                       const std::vector<process_quantity>& wanted, bool zero) {
    return std::all_of(wanted.begin(), wanted.end(), [&](const process_quantity& p) {
        auto it =
            std::find_if(now.begin(), now.end(), [&](const auto& e) { return e.type == p.type; });
        return it != now.end() && it->quantity == (zero ? 0 : p.quantity);
    });
}

std::string quantities(const std::vector<process_quantity>& formation, bool zero) {
    std::string out;
    for (const process_quantity& p : formation) {
        out += (out.empty() ? "" : " ") + p.type + "=" + std::to_string(zero ? 0 : p.quantity);
    }
    return out;
}

} // namespace

task<step_outcome> set_maintenance(step_env& env, bool on) {
    const char* words = on ? "maintenance on" : "maintenance off";
    auto app = co_await act<rq::set_maintenance>("maintenance", words, env.u.request.app, on);
    if (!app) {
        co_return heroku_failure(words, app.err());
    }
    if (app->maintenance != on) {
        co_return step_error{
            "Heroku answered maintenance=" + std::string(app->maintenance ? "on" : "off") +
                " after it was asked for " + (on ? "on" : "off"),
            true};
    }
    co_return step_done{};
}

task<step_outcome> end_downtime(step_env& env, bool maintenance) {
    step_outcome r = co_await set_maintenance(env, maintenance);
    if (!std::holds_alternative<step_done>(r)) {
        co_return r;
    }
    if (env.u.downtime.began && !env.u.downtime.ended) {
        env.u.downtime.ended = env.now; // the answer came: the app runs again
    }
    // The history's words for the outcome (the app got back what it had before).
    // (Chosen outside the co_await: GCC 12 miscompiles ?: inside one.)
    const char* words = "maintenance off";
    if (maintenance) {
        words = "maintenance left on, as it was before the upgrade";
    }
    co_await commit(event_type::effect_recorded, words);
    co_return r;
}

task<step_outcome> scale_to(step_env& env, bool zero) {
    const auto& recorded = env.u.formation;
    if (recorded.empty()) {
        co_return step_done{};
    }
    std::vector<heroku::formation_update> updates;
    for (const process_quantity& p : recorded) {
        updates.push_back({p.type, zero ? 0 : p.quantity});
    }
    // The history's words for the outcome: what the app has now.
    std::string done = quantities(recorded, false) + " restored";
    if (zero) {
        done = quantities(recorded, true) + " (was " + quantities(recorded, false) + ")";
    }
    // A run after one that may have sent the PATCH (an attempt that failed, its answer lost
    // or unreadable; or pgshiftd stopped between the intent and the answer) looks first: the
    // app may have the quantities already, and sending them again would be a second write
    // for one change. A first run does not pay for the read.
    if (env.u.attempt > 0 || env.u.open_effect != 0) {
        auto now = co_await ask<rq::list_formation>(env.u.request.app);
        if (now && formation_matches(*now, recorded, zero)) {
            co_await commit(event_type::effect_recorded, done);
            co_return step_done{};
        }
    }
    std::string what = "scale " + quantities(recorded, zero);
    if (zero) {
        what += " (recorded before: " + quantities(recorded, false) + ")";
    }
    auto after = co_await act<rq::scale_formation>("scale", what, env.u.request.app, updates);
    if (!after) {
        co_return heroku_failure(zero ? "scale down" : "scale up", after.err());
    }
    if (!formation_matches(*after, recorded, zero)) {
        co_return step_error{"the formation did not take the requested quantities", true};
    }
    co_await commit(event_type::effect_recorded, done);
    co_return step_done{};
}

task<step_outcome> plan_entering_maintenance(step_env& env) {
    upgrade& u = env.u;
    if (!u.original_maintenance) {
        auto app = co_await ask<rq::get_app>(u.request.app);
        if (!app) {
            co_return heroku_failure("read app", app.err());
        }
        // Recorded once, with the intent of the first PATCH: the app is restored to it.
        u.original_maintenance = app->maintenance;
    }
    if (u.restore_extensions_reason.empty()) {
        // Read while the app still runs: the source's extensions do not change in the
        // downtime, and reaching the source costs connections (and retries) we do not
        // want to count in it.
        auto chosen = co_await restore_extensions(env);
        if (!chosen) {
            co_return heroku_failure("find the source's extensions", chosen.err());
        }
        u.restore_extensions = chosen->names;
        u.restore_extensions_reason = chosen->reason;
    }
    if (!u.downtime.began) {
        // The downtime starts with the intent of the first maintenance-on request: never
        // later than the app went down, whatever a crash hides.
        u.downtime.began = env.now;
    }
    step_outcome r = co_await set_maintenance(env, true);
    if (std::holds_alternative<step_done>(r)) {
        co_await commit(event_type::effect_recorded, "maintenance on: the app is down");
    }
    co_return r;
}

task<step_outcome> plan_scaling_down(step_env& env) {
    upgrade& u = env.u;
    if (u.formation.empty()) {
        auto formation = co_await ask<rq::list_formation>(u.request.app);
        if (!formation) {
            co_return heroku_failure("read formation", formation.err());
        }
        for (const auto& e : *formation) {
            if (scaled_to_zero_too(e.type)) {
                u.formation.push_back({e.type, e.quantity});
            }
        }
        if (u.formation.empty()) {
            co_return step_done{}; // only web (and release): nothing to scale
        }
        // Committed once, with the intent of the scale PATCH (a second read after scaling
        // down would see zeros); the store refuses to overwrite it.
    }
    co_return co_await scale_to(env, true);
}

task<step_outcome> plan_scaling_up(step_env& env) {
    co_return co_await scale_to(env, false);
}

task<step_outcome> plan_leaving_maintenance(step_env& env) {
    co_return co_await end_downtime(env, env.u.original_maintenance.value_or(false));
}

} // namespace pgshift::plan
