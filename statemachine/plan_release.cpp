// The promotion's release: found by the version committed before the promote POST, then
// watched until it succeeds, or reported in Heroku's words when it fails.
#include "statemachine/plan_common.hpp"
#include "statemachine/plans.hpp"
#include "statemachine/poll_schedule.hpp"

#include <algorithm>

namespace pgshift::plan {
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

promotion_releases scan(const std::vector<heroku::release>& listed) {
    promotion_releases found;
    // Oldest first after the recorded version (newest first in the fallback): the first
    // match is the one.
    for (const auto& r : listed) {
        if (is_database_move(r, "Attach") && !found.attach) {
            found.attach = r;
        }
        if (is_database_move(r, "Detach") && !found.detach) {
            found.detach = r;
        }
    }
    return found;
}

// The CLI's words for a failed promotion release: where DATABASE_URL stands now, and why the
// app stays in maintenance (pgshift never leaves it on a half-switched app by itself).
task<step_outcome> release_failed(step_env& env, heroku::release attach,
                                  std::optional<heroku::release> detach) {
    const upgrade& u = env.u;
    // A release after the failed one that succeeded: the operator fixed the release phase
    // and released again (heroku releases:retry), so the app now runs the new DATABASE_URL.
    auto later = co_await ask<rq::list_releases>(u.request.app, 50, attach.version);
    if (later) {
        for (const auto& r : *later) {
            if (r.status == "succeeded") {
                co_await commit(event_type::effect_recorded,
                                release_words(attach) + "; v" + std::to_string(r.version) +
                                    " after it succeeded",
                                "v" + std::to_string(r.version));
                co_return step_done{};
            }
        }
    }
    bool detached = false;
    if (detach) {
        auto d = co_await ask<rq::get_release>(u.request.app, detach->id);
        detached = d && d->status == "succeeded";
    }
    std::string running = detached ? "without an attached DATABASE_URL"
                                   : "with " + u.source_addon_name + " attached as DATABASE_URL";
    co_return step_error{"promotion failed: " + release_words(attach) + ". The app is running " +
                             running +
                             " and stays in maintenance: fix the release command, release "
                             "again (heroku releases:retry), then retry this upgrade",
                         false};
}

} // namespace

// With a release phase, the promotion's Attach DATABASE release must succeed (the CLI waits
// 15 minutes). Polled on the tight schedule: the app is down meanwhile.
task<step_outcome> watch_release_phase(step_env& env) {
    const upgrade& u = env.u;
    auto formation = co_await ask<rq::list_formation>(u.request.app);
    if (!formation) {
        co_return heroku_failure("read formation", formation.err());
    }
    if (std::none_of(formation->begin(), formation->end(),
                     [](const auto& e) { return e.type == "release"; })) {
        co_return step_done{};
    }
    const time_point since = env.now;
    const time_point give_up = since + std::chrono::minutes(15);
    promotion_releases ours;
    // Recorded before the POST by every upgrade but one stored by an older pgshiftd that
    // promoted without it: that one watches the newest DATABASE attach, as the CLI does.
    const rq::list_releases search =
        u.release_before_promote ? rq::list_releases{u.request.app, 50, u.release_before_promote}
                                 : rq::list_releases{u.request.app, 10, std::nullopt};
    step_outcome r = co_await poll(
        env, "list releases", [&] { return search; },
        [&env, &ours, give_up, since,
         searches = 0](const rq::list_releases::answer& listed) mutable -> std::optional<verdict> {
            if (!listed) {
                return std::nullopt;
            }
            ours = scan(*listed);
            if (ours.attach) {
                return step_done{};
            }
            // Heroku lists the release with the promotion's answer: a few searches (and a
            // minute) without it are not a delay but something else releasing meanwhile.
            if ((++searches > 20 && env.now - since >= std::chrono::minutes(1)) ||
                env.now >= give_up) {
                return step_error{"no Attach DATABASE release after v" +
                                      std::to_string(env.u.release_before_promote.value_or(0)) +
                                      ": check the app's releases",
                                  true};
            }
            return again{backoff_delay(env.opts, in_downtime(env.u), waited(env, since))};
        });
    if (!std::holds_alternative<step_done>(r)) {
        co_return r;
    }
    std::optional<heroku::release> ended;
    if (ours.attach->status == "pending") {
        // The search's answer said pending a moment ago: asking at once cannot say more.
        co_await wait(backoff_delay(env.opts, in_downtime(env.u), waited(env, since)));
    }
    r = co_await poll(
        env, "read " + release_words(*ours.attach),
        [&] {
            return rq::get_release{u.request.app, ours.attach->id};
        },
        [&env, &ended, give_up,
         since](const rq::get_release::answer& got) -> std::optional<verdict> {
            if (!got) {
                return std::nullopt;
            }
            if (got->status != "pending") {
                ended = *got;
                return step_done{};
            }
            if (env.now >= give_up) {
                return step_error{release_words(*got) + " after 15 minutes", true};
            }
            return again{backoff_delay(env.opts, in_downtime(env.u), waited(env, since))};
        });
    if (!std::holds_alternative<step_done>(r)) {
        co_return r;
    }
    if (ended->status == "succeeded") {
        co_await commit(event_type::effect_recorded, release_words(*ended),
                        "v" + std::to_string(ended->version));
        co_return step_done{};
    }
    co_return co_await release_failed(env, *ended, ours.detach);
}

} // namespace pgshift::plan
