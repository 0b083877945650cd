// Steps around the switch: verify the copy, promote it to DATABASE, confirm, retire the old.
#include "daemon/crash_point.hpp"
#include "daemon/steps.hpp"
#include "daemon/verify.hpp"
#include "heroku/data_api.hpp"
#include "heroku/platform_api.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgshift::daemon {
namespace {

// POST /addon-attachments always confirms: it may replace a name (DATABASE) on purpose.
heroku::attachment_create_request attach(const upgrade& u, std::string addon,
                                         std::optional<std::string> name = std::nullopt,
                                         std::optional<std::string> name_space = std::nullopt) {
    heroku::attachment_create_request r;
    r.addon_name = std::move(addon);
    r.app = u.request.app;
    r.name = std::move(name);
    r.name_space = std::move(name_space);
    r.confirm = u.request.app;
    return r;
}

const heroku::attachment* find_attachment(const std::vector<heroku::attachment>& all,
                                          std::string_view name) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const auto& a) { return a.name == name && !a.name_space; });
    return it == all.end() ? nullptr : &*it;
}

// The URL of one add-on, from the config var of any attachment of it without a namespace.
std::optional<std::string> url_of(const std::vector<heroku::attachment>& all,
                                  const heroku::config_vars& vars, const std::string& addon_id) {
    for (const auto& a : all) {
        if (a.addon.id == addon_id && !a.name_space) {
            if (auto it = vars.find(a.name + "_URL"); it != vars.end()) {
                return it->second;
            }
        }
    }
    return std::nullopt;
}

net::awaitable<verify_report> compare_task(std::string source, std::string target) {
    co_return compare_databases(source, target);
}

// libpq blocks: it runs on its own thread and the worker awaits the answer on the loop.
// (A named coroutine, not a capturing lambda: the lambda object would die before its frame.)
net::awaitable<verify_report> compare_off_loop(net::thread_pool& pool, std::string source,
                                               std::string target) {
    co_return co_await net::co_spawn(pool, compare_task(std::move(source), std::move(target)),
                                     net::use_awaitable);
}

net::awaitable<step_result> keep_source_alias(step_context& ctx,
                                              const std::vector<heroku::attachment>& all) {
    bool has_alias = std::any_of(all.begin(), all.end(), [&](const auto& a) {
        return a.addon.id == ctx.u.source_addon_id && a.name != "DATABASE" && !a.name_space;
    });
    if (has_alias) {
        co_return step_done{};
    }
    auto made = co_await heroku::async_create_attachment(ctx.heroku,
                                                         attach(ctx.u, ctx.u.source_addon_name));
    if (!made) {
        co_return heroku_failure("keep an alias for " + ctx.u.source_addon_name, made.err());
    }
    co_return step_done{};
}

// pg:promote re-creates the pooler attachment on the new database.
net::awaitable<step_result> move_pooler(step_context& ctx) {
    auto all = co_await heroku::async_list_attachments(ctx.heroku, ctx.u.request.app);
    if (!all) {
        co_return heroku_failure("list attachments", all.err());
    }
    const auto* db = find_attachment(*all, "DATABASE");
    if (db == nullptr || db->addon.id != ctx.u.target_addon_id) {
        // Just promoted: a list that says otherwise is not to be acted on (no pooler seen
        // would leave the pooler on the old database).
        co_return step_error{"the attachment list does not show the promotion yet", true};
    }
    for (const auto& a : *all) {
        if (a.name == "DATABASE_CONNECTION_POOL" && a.name_space == "connection-pooling:default" &&
            a.addon.id != ctx.u.target_addon_id) {
            auto made = co_await heroku::async_create_attachment(
                ctx.heroku, attach(ctx.u, ctx.u.target_addon_name, a.name, a.name_space));
            if (!made) {
                co_return heroku_failure("re-attach the connection pooler", made.err());
            }
        }
    }
    co_return step_done{};
}

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

} // namespace

net::awaitable<step_result> step_verifying(step_context& ctx) {
    auto all = co_await heroku::async_list_attachments(ctx.heroku, ctx.u.request.app);
    if (!all) {
        co_return heroku_failure("list attachments", all.err());
    }
    auto vars = co_await heroku::async_get_config_vars(ctx.heroku, ctx.u.request.app);
    if (!vars) {
        co_return heroku_failure("read config vars", vars.err());
    }
    auto source = url_of(*all, *vars, ctx.u.source_addon_id);
    auto target = url_of(*all, *vars, ctx.u.target_addon_id);
    if (!source || !target) {
        co_return step_error{"cannot find the config vars of both databases", true};
    }
    verify_report report = co_await compare_off_loop(ctx.blocking, *source, *target);
    if (!report.ok) {
        co_return step_error{"verification: " + report.message, true};
    }
    if (!report.matches) {
        co_return step_error{"verification failed: " + report.message, false};
    }
    if (!ctx.commit(event_type::effect_recorded, "verified: " + report.message)) {
        co_return superseded{};
    }
    co_return step_done{};
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

net::awaitable<step_result> step_promoting(step_context& ctx) {
    upgrade& u = ctx.u;
    auto all = co_await heroku::async_list_attachments(ctx.heroku, u.request.app);
    if (!all) {
        co_return heroku_failure("list attachments", all.err());
    }
    const auto* current = find_attachment(*all, "DATABASE");
    if (current == nullptr) {
        // The app had DATABASE when the upgrade began and a promotion only moves it: an
        // answer without it is not the app's state (read again rather than act on it).
        co_return step_error{"the attachment list shows no DATABASE; reading it again", true};
    }
    if (current->addon.id != u.target_addon_id) {
        step_result intent = co_await record_release_before(ctx);
        if (!std::holds_alternative<step_done>(intent)) {
            co_return intent;
        }
        step_result alias = co_await keep_source_alias(ctx, *all);
        if (!std::holds_alternative<step_done>(alias)) {
            co_return alias;
        }
        auto ready = co_await heroku::async_wait_status(ctx.heroku, u.target_addon_id);
        if (!ready || ready->waiting) {
            co_return step_error{"the target database is not ready to promote", true};
        }
        auto made = co_await heroku::async_create_attachment(
            ctx.heroku, attach(u, u.target_addon_name, "DATABASE"));
        if (!made) {
            co_return heroku_failure("promote " + u.target_addon_name, made.err());
        }
        crash_point("after_promote");
        if (!ctx.commit(event_type::effect_recorded, "DATABASE is now " + u.target_addon_name)) {
            co_return superseded{};
        }
    }
    step_result pooler = co_await move_pooler(ctx);
    if (!std::holds_alternative<step_done>(pooler)) {
        co_return pooler;
    }
    co_return co_await watch_release_phase(ctx);
}

net::awaitable<step_result> step_confirming(step_context& ctx) {
    upgrade& u = ctx.u;
    auto all = co_await heroku::async_list_attachments(ctx.heroku, u.request.app);
    if (!all) {
        co_return heroku_failure("list attachments", all.err());
    }
    const auto* db = find_attachment(*all, "DATABASE");
    if (db == nullptr || db->addon.id != u.target_addon_id) {
        co_return step_error{"DATABASE does not point at " + u.target_addon_name, false};
    }
    auto vars = co_await heroku::async_get_config_vars(ctx.heroku, u.request.app);
    if (!vars) {
        co_return heroku_failure("read config vars", vars.err());
    }
    auto url = vars->find("DATABASE_URL");
    bool same = false;
    for (const auto& a : *all) {
        if (a.addon.id == u.target_addon_id && a.name != "DATABASE" && !a.name_space) {
            auto alias = vars->find(a.name + "_URL");
            same = same ||
                   (url != vars->end() && alias != vars->end() && alias->second == url->second);
        }
    }
    if (!same) {
        co_return step_error{"DATABASE_URL is not the URL of " + u.target_addon_name, false};
    }
    auto info = co_await heroku::async_database_info(ctx.heroku, u.target_addon_id);
    if (!info) {
        co_return heroku_failure("database info", info.err());
    }
    std::string plan = u.request.plan.substr(u.request.plan.find(':') + 1);
    if (info->plan != plan && info->plan != u.request.plan) {
        co_return step_error{"the new database's plan is " + info->plan + ", not " + plan, false};
    }
    // The version pinned in the first step (asked, or the source's major); as asked for an
    // upgrade recorded before versions were pinned.
    auto pinned = u.target_version.empty() ? u.request.pg_version : std::optional(u.target_version);
    if (pinned && !info->postgres_version.value_or("").starts_with(*pinned)) {
        co_return step_error{"the new database runs Postgres " +
                                 info->postgres_version.value_or("?") + ", not " + *pinned,
                             false};
    }
    if (!ctx.commit(event_type::effect_recorded,
                    "confirmed: DATABASE_URL is " + u.target_addon_name + " on " + info->plan)) {
        co_return superseded{};
    }
    co_return step_done{};
}

} // namespace pgshift::daemon
