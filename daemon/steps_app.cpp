// Steps on the app itself: maintenance mode and the formation, down and back up.
#include "daemon/steps_app.hpp"

#include "daemon/steps.hpp"
#include "heroku/platform_api.hpp"

#include <algorithm>

namespace pgshift::daemon {
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

} // namespace

net::awaitable<step_result> set_maintenance(step_context& ctx, bool on) {
    auto app = co_await heroku::async_set_maintenance(ctx.heroku, ctx.u.request.app, on);
    if (!app) {
        co_return heroku_failure(on ? "maintenance on" : "maintenance off", app.err());
    }
    if (app->maintenance != on) {
        co_return step_error{
            "Heroku answered maintenance=" + std::string(app->maintenance ? "on" : "off") +
                " after it was asked for " + (on ? "on" : "off"),
            true};
    }
    co_return step_done{};
}

net::awaitable<step_result> scale_to(step_context& ctx, bool zero) {
    const auto& recorded = ctx.u.formation;
    if (recorded.empty()) {
        co_return step_done{};
    }
    std::vector<heroku::formation_update> updates;
    for (const process_quantity& p : recorded) {
        updates.push_back({p.type, zero ? 0 : p.quantity});
    }
    auto after = co_await heroku::async_scale_formation(ctx.heroku, ctx.u.request.app, updates);
    if (!after) {
        co_return heroku_failure(zero ? "scale down" : "scale up", after.err());
    }
    if (!formation_matches(*after, recorded, zero)) {
        co_return step_error{"the formation did not take the requested quantities", true};
    }
    co_return step_done{};
}

net::awaitable<step_result> step_entering_maintenance(step_context& ctx) {
    upgrade& u = ctx.u;
    if (!u.original_maintenance) {
        auto app = co_await heroku::async_get_app(ctx.heroku, u.request.app);
        if (!app) {
            co_return heroku_failure("read app", app.err());
        }
        u.original_maintenance = app->maintenance;
        if (!ctx.commit(event_type::effect_requested, std::string("maintenance was ") +
                                                          (app->maintenance ? "on" : "off") +
                                                          "; turning it on")) {
            co_return superseded{};
        }
    }
    co_return co_await set_maintenance(ctx, true);
}

net::awaitable<step_result> step_scaling_down(step_context& ctx) {
    upgrade& u = ctx.u;
    if (u.formation.empty()) {
        auto formation = co_await heroku::async_list_formation(ctx.heroku, u.request.app);
        if (!formation) {
            co_return heroku_failure("read formation", formation.err());
        }
        std::string recorded;
        for (const auto& e : *formation) {
            if (scaled_to_zero_too(e.type)) {
                u.formation.push_back({e.type, e.quantity});
                recorded += " " + e.type + "=" + std::to_string(e.quantity);
            }
        }
        if (u.formation.empty()) {
            co_return step_done{}; // only web (and release): nothing to scale
        }
        // Recorded once: a second read after scaling down would see zeros.
        if (!ctx.commit(event_type::effect_requested, "recorded formation:" + recorded)) {
            co_return superseded{};
        }
    }
    co_return co_await scale_to(ctx, true);
}

net::awaitable<step_result> step_scaling_up(step_context& ctx) {
    co_return co_await scale_to(ctx, false);
}

net::awaitable<step_result> step_leaving_maintenance(step_context& ctx) {
    co_return co_await set_maintenance(ctx, ctx.u.original_maintenance.value_or(false));
}

} // namespace pgshift::daemon
