// The promotion's release: its version committed before the POST, then its release phase
// watched until it succeeds, or reported in Heroku's words when it fails.
#include "daemon/crash_point.hpp"
#include "daemon/steps.hpp"
#include "heroku/platform_api.hpp"

#include <algorithm>

namespace pgshift::daemon {
namespace {

// "Attach DATABASE (@ref:…)" and "Detach DATABASE (…)": the promotion's own releases, not
// the pooler's "Attach DATABASE_CONNECTION_POOL" nor an alias's "Attach HEROKU_POSTGRESQL_…".
bool is_database_move(const heroku::release& r, std::string_view verb) {
    const std::string prefix = std::string(verb) + " DATABASE";
    if (!r.description.starts_with(prefix)) {
        return false;
    }
    return r.description.size() == prefix.size() || r.description[prefix.size()] == ' ';
}

std::string release_words(const heroku::release& r) {
    std::string out =
        "release v" + std::to_string(r.version) + " (" + r.description + ") " + r.status;
    if (r.output_stream_url) {
        out += "; its release phase output: " + *r.output_stream_url;
    }
    return out;
}

// The promotion's releases: the first attach (and detach) of DATABASE after the newest
// release seen before the promote POST. Releases made by anything else meanwhile (a config
// change, an alias) are skipped; they never stand in for ours however many there are.
struct promotion_releases {
    std::optional<heroku::release> attach;
    std::optional<heroku::release> detach;
};

net::awaitable<heroku::outcome<promotion_releases>> find_promotion_releases(step_context& ctx) {
    const upgrade& u = ctx.u;
    promotion_releases found;
    // Recorded before the POST by every upgrade but one stored by an older pgshiftd that
    // promoted without it: that one watches the newest DATABASE attach, as the CLI does.
    // (No co_await inside ?: — GCC 12 miscompiles it.)
    heroku::outcome<std::vector<heroku::release>> listed{std::vector<heroku::release>{}};
    if (u.release_before_promote) {
        listed = co_await heroku::async_list_releases_after(ctx.heroku, u.request.app,
                                                            *u.release_before_promote, 50);
    } else {
        listed = co_await heroku::async_list_releases(ctx.heroku, u.request.app, 10);
    }
    if (!listed) {
        co_return listed.err();
    }
    // Oldest first after the recorded version (newest first in the fallback): the first
    // match is the one.
    for (const auto& r : *listed) {
        if (is_database_move(r, "Attach") && !found.attach) {
            found.attach = r;
        }
        if (is_database_move(r, "Detach") && !found.detach) {
            found.detach = r;
        }
    }
    co_return found;
}

// A release after the failed one that succeeded: the operator fixed the release phase and
// released again (heroku releases:retry), so the app now runs with the new DATABASE_URL.
net::awaitable<std::optional<heroku::release>> later_success(step_context& ctx,
                                                             std::int64_t version) {
    auto later =
        co_await heroku::async_list_releases_after(ctx.heroku, ctx.u.request.app, version, 50);
    if (later) {
        for (const auto& r : *later) {
            if (r.status == "succeeded") {
                co_return r;
            }
        }
    }
    co_return std::nullopt;
}

// The CLI's words for a failed promotion release: where DATABASE_URL stands now, and why the
// app stays in maintenance (pgshift never leaves it on a half-switched app by itself).
net::awaitable<step_result> release_failed(step_context& ctx, const heroku::release& attach,
                                           const std::optional<heroku::release>& detach) {
    if (auto fixed = co_await later_success(ctx, attach.version)) {
        if (!ctx.commit(event_type::effect_recorded, release_words(attach) + "; v" +
                                                         std::to_string(fixed->version) +
                                                         " after it succeeded")) {
            co_return superseded{};
        }
        co_return step_done{};
    }
    std::optional<heroku::release> detach_now;
    if (detach) {
        auto d = co_await heroku::async_get_release(ctx.heroku, ctx.u.request.app, detach->id);
        detach_now = d ? std::optional(*d) : std::nullopt;
    }
    std::string running = detach_now && detach_now->status == "succeeded"
                              ? "without an attached DATABASE_URL"
                              : "with " + ctx.u.source_addon_name + " attached as DATABASE_URL";
    co_return step_error{"promotion failed: " + release_words(attach) + ". The app is running " +
                             running +
                             " and stays in maintenance: fix the release command, release "
                             "again (heroku releases:retry), then retry this upgrade",
                         false};
}

} // namespace

// With a release phase, the promotion's Attach DATABASE release must succeed (the CLI waits
// 15 minutes). Polled at the fastest interval: the app is down meanwhile.
net::awaitable<step_result> watch_release_phase(step_context& ctx) {
    auto formation = co_await heroku::async_list_formation(ctx.heroku, ctx.u.request.app);
    if (!formation) {
        co_return heroku_failure("read formation", formation.err());
    }
    if (std::none_of(formation->begin(), formation->end(),
                     [](const auto& e) { return e.type == "release"; })) {
        co_return step_done{};
    }
    poll_budget budget;
    std::optional<promotion_releases> ours;
    int searches = 0;
    for (auto give_up = ctx.now() + std::chrono::minutes(15); ctx.now() < give_up;) {
        if (!ours || !ours->attach) {
            auto found = co_await find_promotion_releases(ctx);
            if (!found && !budget.absorb(found.err())) {
                co_return heroku_failure("list releases", found.err());
            }
            ours = found ? std::optional(*found) : std::nullopt;
            if (found && !found->attach && ++searches > 20) {
                co_return step_error{"no Attach DATABASE release after v" +
                                         std::to_string(ctx.u.release_before_promote.value_or(0)) +
                                         ": check the app's releases",
                                     true};
            }
        }
        if (ours && ours->attach) {
            auto r =
                co_await heroku::async_get_release(ctx.heroku, ctx.u.request.app, ours->attach->id);
            if (!r && !budget.absorb(r.err())) {
                co_return heroku_failure("read " + release_words(*ours->attach), r.err());
            }
            if (r && r->status == "succeeded") {
                if (!ctx.commit(event_type::effect_recorded, release_words(*r))) {
                    co_return superseded{};
                }
                co_return step_done{};
            }
            if (r && r->status != "pending") {
                co_return co_await release_failed(ctx, *r, ours->detach);
            }
        }
        if (!co_await ctx.nap(ctx.opts.poll_min)) {
            co_return superseded{};
        }
    }
    co_return step_error{ours && ours->attach
                             ? release_words(*ours->attach) + " after 15 minutes"
                             : std::string("no Attach DATABASE release after the promotion "
                                           "within 15 minutes"),
                         true};
}

// Intent: the newest release before the promote POST, so the promotion's own release is
// known by its version afterwards (the first DATABASE attach after it).
net::awaitable<step_result> record_release_before(step_context& ctx) {
    upgrade& u = ctx.u;
    if (u.release_before_promote) {
        co_return step_done{}; // write-once: a resumed step keeps the first one
    }
    auto newest = co_await heroku::async_list_releases(ctx.heroku, u.request.app, 1);
    if (!newest) {
        co_return heroku_failure("read the newest release", newest.err());
    }
    if (newest->empty()) {
        // An app with a database attached has releases (attaching made one): an empty list
        // is not the truth, and recording 0 would take an old attach for the promotion's.
        co_return step_error{"Heroku listed no releases for " + u.request.app + "; reading again",
                             true};
    }
    u.release_before_promote = newest->front().version;
    if (!ctx.commit(event_type::effect_requested,
                    "promote " + u.target_addon_name + " to DATABASE (newest release v" +
                        std::to_string(*u.release_before_promote) + ")")) {
        co_return superseded{};
    }
    crash_point("after_promote_intent");
    co_return step_done{};
}

} // namespace pgshift::daemon
