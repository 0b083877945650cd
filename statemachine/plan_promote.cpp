// Plans around the switch: verify the copy, promote it to DATABASE, confirm it.
#include "statemachine/plan_common.hpp"
#include "statemachine/plans.hpp"

#include <algorithm>

namespace pgshift::plan {
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

// The source keeps a name of its own once DATABASE moves (pg:promote does the same).
task<step_outcome> keep_source_alias(step_env& env, std::vector<heroku::attachment> all) {
    const upgrade& u = env.u;
    bool has_alias = std::any_of(all.begin(), all.end(), [&](const auto& a) {
        return a.addon.id == u.source_addon_id && a.name != "DATABASE" && !a.name_space;
    });
    if (has_alias) {
        co_return step_done{};
    }
    auto made = co_await act<rq::create_attachment>(
        "alias", "attach " + u.source_addon_name + " under a name of its own",
        attach(u, u.source_addon_name));
    if (!made) {
        co_return heroku_failure("keep an alias for " + u.source_addon_name, made.err());
    }
    co_return step_done{};
}

// pg:promote re-creates the pooler attachment on the new database.
task<step_outcome> move_pooler(step_env& env) {
    const upgrade& u = env.u;
    auto all = co_await ask<rq::list_attachments>(u.request.app);
    if (!all) {
        co_return heroku_failure("list attachments", all.err());
    }
    const auto* db = find_attachment(*all, "DATABASE");
    if (db == nullptr || db->addon.id != u.target_addon_id) {
        // Just promoted: a list that says otherwise is not to be acted on (no pooler seen
        // would leave the pooler on the old database).
        co_return step_error{"the attachment list does not show the promotion yet", true};
    }
    for (const auto& a : *all) {
        if (a.name == "DATABASE_CONNECTION_POOL" && a.name_space == "connection-pooling:default" &&
            a.addon.id != u.target_addon_id) {
            auto made = co_await act<rq::create_attachment>(
                "pooler", "attach the connection pooler to " + u.target_addon_name,
                attach(u, u.target_addon_name, a.name, a.name_space));
            if (!made) {
                co_return heroku_failure("re-attach the connection pooler", made.err());
            }
        }
    }
    co_return step_done{};
}

// The newest release before the promote POST, committed with its intent, so the
// promotion's own release is known by its version afterwards.
task<step_outcome> note_release_before(step_env& env) {
    upgrade& u = env.u;
    if (u.release_before_promote) {
        co_return step_done{}; // write-once: a resumed step keeps the first one
    }
    auto newest = co_await ask<rq::list_releases>(u.request.app, 1, std::nullopt);
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
    co_return step_done{};
}

} // namespace

task<step_outcome> plan_verifying(step_env& env) {
    const upgrade& u = env.u;
    auto all = co_await ask<rq::list_attachments>(u.request.app);
    if (!all) {
        co_return heroku_failure("list attachments", all.err());
    }
    auto vars = co_await ask<rq::get_config_vars>(u.request.app);
    if (!vars) {
        co_return heroku_failure("read config vars", vars.err());
    }
    auto source = url_of(*all, *vars, u.source_addon_id);
    auto target = url_of(*all, *vars, u.target_addon_id);
    if (!source || !target) {
        co_return step_error{"cannot find the config vars of both databases", true};
    }
    table_counts report = co_await ask<rq::compare_tables>(*source, *target);
    if (!report.ok) {
        co_return step_error{"verification: " + report.message, true};
    }
    if (!report.matches) {
        co_return step_error{"verification failed: " + report.message, false};
    }
    co_await commit(event_type::effect_recorded, "verified: " + report.message);
    co_return step_done{};
}

task<step_outcome> plan_promoting(step_env& env) {
    upgrade& u = env.u;
    auto all = co_await ask<rq::list_attachments>(u.request.app);
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
        step_outcome r = co_await note_release_before(env);
        if (!std::holds_alternative<step_done>(r)) {
            co_return r;
        }
        r = co_await keep_source_alias(env, *all);
        if (!std::holds_alternative<step_done>(r)) {
            co_return r;
        }
        auto ready = co_await ask<rq::wait_status>(u.target_addon_id);
        if (!ready || ready->waiting) {
            co_return step_error{"the target database is not ready to promote", true};
        }
        auto made = co_await act<rq::create_attachment>(
            "promote",
            "promote " + u.target_addon_name + " to DATABASE (newest release v" +
                std::to_string(*u.release_before_promote) + ")",
            attach(u, u.target_addon_name, "DATABASE"));
        if (!made) {
            co_return heroku_failure("promote " + u.target_addon_name, made.err());
        }
        co_await commit(event_type::effect_recorded, "DATABASE is now " + u.target_addon_name,
                        made->id);
    }
    step_outcome pooler = co_await move_pooler(env);
    if (!std::holds_alternative<step_done>(pooler)) {
        co_return pooler;
    }
    co_return co_await watch_release_phase(env);
}

task<step_outcome> plan_confirming(step_env& env) {
    const upgrade& u = env.u;
    auto all = co_await ask<rq::list_attachments>(u.request.app);
    if (!all) {
        co_return heroku_failure("list attachments", all.err());
    }
    const auto* db = find_attachment(*all, "DATABASE");
    if (db == nullptr || db->addon.id != u.target_addon_id) {
        co_return step_error{"DATABASE does not point at " + u.target_addon_name, false};
    }
    auto vars = co_await ask<rq::get_config_vars>(u.request.app);
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
    auto info = co_await ask<rq::database_info>(u.target_addon_id);
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
    // The old database stays (and is billed) until it is removed: the history names where.
    std::string old;
    for (const auto& a : *all) {
        if (old.empty() && a.addon.id == u.source_addon_id && a.name != "DATABASE" &&
            !a.name_space) {
            old = "; the old database " + u.source_addon_name + " stays attached as " + a.name;
        }
    }
    co_await commit(event_type::effect_recorded, "confirmed: DATABASE_URL is " +
                                                     u.target_addon_name + " on " + info->plan +
                                                     old);
    co_return step_done{};
}

} // namespace pgshift::plan
