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
