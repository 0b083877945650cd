// The one interpreter of step plans: commits, Heroku requests, libpq reads and naps.
#include "daemon/interpreter.hpp"

#include "daemon/crash_point.hpp"
#include "daemon/verify.hpp"
#include "heroku/data_api.hpp"
#include "heroku/platform_api.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgshift::daemon {
namespace {

namespace rq = plan::rq;
namespace h = heroku;

// One request sent; the answer goes back to the plan as std::any of R::answer.
template<class T>
net::awaitable<std::any> boxed(net::awaitable<T> call) {
    co_return std::any(co_await std::move(call));
}

net::awaitable<std::any> send(step_context& c, rq::get_app r) {
    return boxed(h::async_get_app(c.heroku, r.app));
}
net::awaitable<std::any> send(step_context& c, rq::set_maintenance r) {
    return boxed(h::async_set_maintenance(c.heroku, r.app, r.on));
}
net::awaitable<std::any> send(step_context& c, rq::list_formation r) {
    return boxed(h::async_list_formation(c.heroku, r.app));
}
net::awaitable<std::any> send(step_context& c, rq::scale_formation r) {
    return boxed(h::async_scale_formation(c.heroku, r.app, r.updates));
}
net::awaitable<std::any> send(step_context& c, rq::list_attachments r) {
    return boxed(h::async_list_attachments(c.heroku, r.app));
}
net::awaitable<std::any> send(step_context& c, rq::create_attachment r) {
    return boxed(h::async_create_attachment(c.heroku, r.body));
}
net::awaitable<std::any> send(step_context& c, rq::get_addon r) {
    return boxed(h::async_get_addon(c.heroku, r.app, r.addon));
}
net::awaitable<std::any> send(step_context& c, rq::create_addon r) {
    return boxed(h::async_create_addon(c.heroku, r.app, r.body));
}
net::awaitable<std::any> send(step_context& c, rq::destroy_addon r) {
    return boxed(h::async_destroy_addon(c.heroku, r.app_id, r.addon_id));
}
net::awaitable<std::any> send(step_context& c, rq::get_config_vars r) {
    return boxed(h::async_get_config_vars(c.heroku, r.app));
}
net::awaitable<std::any> send(step_context& c, rq::list_releases r) {
    if (r.after) {
        return boxed(h::async_list_releases_after(c.heroku, r.app, *r.after, r.max));
    }
    return boxed(h::async_list_releases(c.heroku, r.app, r.max));
}
net::awaitable<std::any> send(step_context& c, rq::get_release r) {
    return boxed(h::async_get_release(c.heroku, r.app, r.id));
}
net::awaitable<std::any> send(step_context& c, rq::wait_status r) {
    return boxed(h::async_wait_status(c.heroku, r.addon_id));
}
net::awaitable<std::any> send(step_context& c, rq::database_info r) {
    return boxed(h::async_database_info(c.heroku, r.addon_id));
}
net::awaitable<std::any> send(step_context& c, rq::capture_backup r) {
    return boxed(h::async_capture_backup(c.heroku, r.addon_id));
}
net::awaitable<std::any> send(step_context& c, rq::create_restore r) {
    return boxed(h::async_create_restore(c.heroku, r.addon_id, r.backup_url, r.extensions));
}
net::awaitable<std::any> send(step_context& c, rq::get_transfer r) {
    return boxed(h::async_get_transfer(c.heroku, r.app, r.uuid, r.verbose));
}
net::awaitable<std::any> send(step_context& c, rq::list_transfers r) {
    return boxed(h::async_list_transfers(c.heroku, r.app));
}
net::awaitable<std::any> send(step_context& c, rq::cancel_transfer r) {
    return boxed(h::async_cancel_transfer(c.heroku, r.app, r.uuid));
}

// libpq blocks: these run on the blocking pool while the worker awaits them on the loop.
net::awaitable<plan::table_counts> compare_task(std::string source, std::string target) {
    verify_report report = compare_databases(source, target);
    co_return plan::table_counts{report.ok, report.matches, report.message};
}
net::awaitable<plan::extension_list> extensions_task(std::string url) {
    extensions_report report = installed_extensions(url);
    co_return plan::extension_list{report.ok, report.names, report.message};
}
net::awaitable<std::any> send(step_context& c, rq::compare_tables r) {
    return boxed(
        net::co_spawn(c.blocking, compare_task(r.source_url, r.target_url), net::use_awaitable));
}
net::awaitable<std::any> send(step_context& c, rq::read_extensions r) {
    return boxed(net::co_spawn(c.blocking, extensions_task(r.url), net::use_awaitable));
}

// What a write's answer says, for its outcome in the history.
struct write_outcome {
    bool ok = false;
    std::string words;    // the error, when not ok
    std::string identity; // what Heroku named: an add-on id, a transfer uuid
};

std::string identity_of(const h::addon& a) {
    return a.id;
}
std::string identity_of(const h::attachment& a) {
    return a.id;
}
std::string identity_of(const h::transfer& t) {
    return t.uuid;
}
template<class T>
std::string identity_of(const T&) {
    return {};
}

template<class T>
write_outcome outcome_of(const h::outcome<T>& answer) {
    if (!answer) {
        return {false, h::describe(answer.err()), {}};
    }
    return {true, {}, identity_of(*answer)};
}

write_outcome outcome_of_write(const plan::request& req, const std::any& answer) {
    return std::visit(
        [&](const auto& r) -> write_outcome {
            using answer_t = typename std::decay_t<decltype(r)>::answer;
            if constexpr (std::decay_t<decltype(r)>::writes) {
                return outcome_of(std::any_cast<const answer_t&>(answer));
            } else {
                return {};
            }
        },
        req);
}

bool writes(const plan::request& req) {
    return std::visit([](const auto& r) { return std::decay_t<decltype(r)>::writes; }, req);
}

// The write whose outcome is not recorded yet, when this run made it.
struct open_write {
    std::string what;
    write_outcome outcome;
};

// Records the outcome of the open effect (u.open_effect), if any: from the answer in hand,
// or, for one requested by an earlier run of a step (pgshiftd stopped, or an operator's
// command moved the upgrade, before its answer was committed), as unknown: the step that
// runs now reconciles with Heroku instead. False when superseded.
bool close_open(step_context& ctx, std::optional<open_write>& last) {
    if (ctx.u.open_effect == 0) {
        last.reset();
        return true;
    }
    persistence::history_entry entry{event_type::effect_failed, "", ctx.u.open_effect, ""};
    if (!last) {
        entry.detail = "outcome unknown: its answer was never committed (pgshiftd stopped, or "
                       "an operator's command came first); reconciled with Heroku instead";
    } else if (last->outcome.ok) {
        entry.type = event_type::effect_recorded;
        entry.detail = last->what + ": done";
        entry.identity = last->outcome.identity;
    } else {
        entry.detail = last->what + ": " + last->outcome.words;
    }
    ctx.u.open_effect = 0;
    last.reset();
    return ctx.commit(std::move(entry));
}

} // namespace

net::awaitable<step_result> interpret(step_context& ctx, plan::step_env& env,
                                      plan::task<plan::step_outcome> root) {
    plan::runner<plan::step_outcome> run(std::move(root));
    std::any answer;
    std::optional<open_write> last; // a write of this run whose outcome is not recorded yet
    for (;;) {
        env.now = ctx.now();
        const plan::effect* next = run.resume(std::move(answer));
        answer.reset();
        if (next == nullptr) {
            if (!close_open(ctx, last)) {
                co_return superseded{};
            }
            plan::step_outcome end = run.result();
            if (auto* e = std::get_if<step_error>(&end)) {
                co_return std::move(*e);
            }
            if (auto* s = std::get_if<stalled>(&end)) {
                co_return std::move(*s);
            }
            co_return step_done{};
        }
        if (const auto* c = std::get_if<plan::commit_effect>(next)) {
            persistence::history_entry entry{c->type, c->detail, 0, c->identity};
            if (ctx.u.open_effect != 0 && c->type == event_type::effect_recorded) {
                // The plan's own words for the outcome of the open effect.
                entry.effect_id = std::exchange(ctx.u.open_effect, 0);
                last.reset();
            } else if (!close_open(ctx, last)) {
                co_return superseded{};
            }
            if (!ctx.commit(std::move(entry))) {
                co_return superseded{};
            }
            if (!c->crash_after.empty()) {
                crash_point(c->crash_after);
            }
            continue;
        }
        // Anything but the plan's own record closes the open effect, but a read leaves one
        // from an earlier run open: the adoption it leads to may complete it by its id.
        const auto* call = std::get_if<plan::call_effect>(next);
        const bool write = call != nullptr && writes(call->req);
        const bool keep_open = call != nullptr && !write && !last;
        if (!keep_open && !close_open(ctx, last)) {
            co_return superseded{};
        }
        if (const auto* w = std::get_if<plan::wait_effect>(next)) {
            if (!co_await ctx.nap(w->delay)) {
                co_return superseded{};
            }
            continue;
        }
        if (write) {
            ctx.u.open_effect = ++ctx.u.effects;
            if (!ctx.commit({event_type::effect_requested, call->what, ctx.u.open_effect, ""})) {
                co_return superseded{};
            }
            crash_point("after_" + call->name + "_intent");
        }
        plan::request req = call->req; // sent, then read again for the write's outcome
        answer = co_await std::visit([&](auto r) { return send(ctx, std::move(r)); }, req);
        if (write) {
            crash_point("after_" + call->name);
            last = open_write{call->what, outcome_of_write(req, answer)};
        }
    }
}

} // namespace pgshift::daemon
