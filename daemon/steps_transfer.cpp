// Capture a backup of the source and restore it into the target: start once, then follow.
#include "daemon/crash_point.hpp"
#include "daemon/steps.hpp"
#include "daemon/verify.hpp"
#include "heroku/data_api.hpp"
#include "heroku/platform_api.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

namespace pgshift::daemon {
namespace {

using std::chrono::milliseconds;

bool is_backup(const heroku::transfer& t) {
    return t.from_type == "pg_dump" && t.to_type == "gof3r";
}
bool is_restore(const heroku::transfer& t) {
    return t.to_type == "pg_restore" && (t.from_type == "gof3r" || t.from_type == "htcat");
}

// Heroku's timestamps have whole seconds; the step start is compared at that precision.
bool created_since(const heroku::transfer& t, std::optional<time_point> step_started) {
    const auto& created = t.created_at;
    if (!created || !step_started) {
        return false;
    }
    return *created >= std::chrono::floor<std::chrono::seconds>(*step_started);
}

// The app whose transfers list a backup of the source: the add-on's owner, which is another
// app when DATABASE is shared (pg:backups:capture follows it by db.app.name too).
const std::string& backup_app(const upgrade& u) {
    return u.source_app.empty() ? u.request.app : u.source_app;
}

// Every attachment name of one add-on on `app`: a transfer names its database by attachment.
net::awaitable<heroku::outcome<std::set<std::string>>> names_of(step_context& ctx, std::string app,
                                                                std::string addon_id) {
    auto attachments = co_await heroku::async_list_attachments(ctx.heroku, app);
    if (!attachments) {
        co_return attachments.err();
    }
    std::set<std::string> names;
    for (const auto& a : *attachments) {
        if (a.addon.id == addon_id) {
            names.insert(a.name);
        }
    }
    co_return names;
}

// A transfer of ours that a crash kept us from recording: the newest matching one created
// since this step began. With no clock skew tolerance on purpose: adopting an older backup
// could restore data from before maintenance; at worst we start a second transfer.
net::awaitable<heroku::outcome<std::optional<heroku::transfer>>>
find_own_transfer(step_context& ctx, bool restore) {
    const std::string& addon = restore ? ctx.u.target_addon_id : ctx.u.source_addon_id;
    const std::string& app = restore ? ctx.u.request.app : backup_app(ctx.u);
    auto names = co_await names_of(ctx, app, addon);
    if (!names) {
        co_return names.err();
    }
    auto transfers = co_await heroku::async_list_transfers(ctx.heroku, app);
    if (!transfers) {
        co_return transfers.err();
    }
    std::optional<heroku::transfer> best;
    for (const auto& t : *transfers) {
        const auto& db = restore ? t.to_name : t.from_name;
        bool kind = restore ? is_restore(t) : is_backup(t);
        if (kind && db && names->count(*db) && created_since(t, ctx.u.step_started_at) &&
            (!best || t.num > best->num)) {
            best = t;
        }
    }
    co_return best;
}

struct chosen_extensions {
    std::vector<std::string> names;
    std::string reason; // for the history: the names and where they came from
};

net::awaitable<extensions_report> extensions_task(std::string url) {
    co_return installed_extensions(url);
}

// libpq blocks: it runs on the blocking pool and the worker awaits the answer on the loop.
net::awaitable<extensions_report> extensions_off_loop(net::thread_pool& pool, std::string url) {
    co_return co_await net::co_spawn(pool, extensions_task(std::move(url)), net::use_awaitable);
}

std::string listed(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ",") + n;
    }
    return out.empty() ? "none" : out;
}

// The extensions the restore asks Heroku to pre-install: the request's, else the source's
// installed ones (read-only), else none (the restore then reports what it skipped).
net::awaitable<heroku::outcome<chosen_extensions>> restore_extensions(step_context& ctx) {
    const upgrade& u = ctx.u;
    if (!u.request.extensions.empty()) {
        co_return chosen_extensions{u.request.extensions, listed(u.request.extensions) +
                                                              " (asked)"};
    }
    auto attachments = co_await heroku::async_list_attachments(ctx.heroku, u.request.app);
    if (!attachments) {
        co_return attachments.err();
    }
    auto vars = co_await heroku::async_get_config_vars(ctx.heroku, u.request.app);
    if (!vars) {
        co_return vars.err();
    }
    std::optional<std::string> url;
    for (const auto& a : *attachments) {
        auto it = vars->find(a.name + "_URL");
        if (!url && a.addon.id == u.source_addon_id && !a.name_space && it != vars->end()) {
            url = it->second;
        }
    }
    if (!url) {
        co_return chosen_extensions{{}, "none (the source's URL is not in the config vars)"};
    }
    // A passing failure (a timeout, a blip) must not cost the restore its extensions: asked
    // three times before the source counts as unreachable from here (a Private Space).
    extensions_report report;
    for (int attempt = 1; attempt <= 3; ++attempt) {
        report = co_await extensions_off_loop(ctx.blocking, *url);
        if (report.ok || attempt == 3) {
            break;
        }
        if (!co_await ctx.nap(ctx.opts.poll_interval)) {
            // An operator command moved the upgrade meanwhile: the caller starts over.
            heroku::api_error moved;
            moved.id = heroku::error_ids::cancelled;
            moved.message = "superseded while reading extensions";
            co_return moved;
        }
    }
    if (!report.ok) {
        co_return chosen_extensions{{}, "none (cannot read the source's: " + report.message + ")"};
    }
    co_return chosen_extensions{report.names, listed(report.names) + " (installed on the source)"};
}

milliseconds next_poll(const step_context& ctx, std::int64_t gained, milliseconds elapsed,
                       std::int64_t remaining) {
    if (gained <= 0 || elapsed.count() <= 0 || remaining <= 0) {
        return ctx.opts.poll_interval;
    }
    // Poll at half the expected time to finish: fast near the end, slow during hours.
    auto eta = milliseconds(remaining * elapsed.count() / gained);
    return std::clamp(eta / 2, ctx.opts.poll_min, ctx.opts.poll_max);
}

std::string last_logs(const heroku::transfer& t) {
    std::string out;
    std::size_t from = t.logs.size() > 5 ? t.logs.size() - 5 : 0;
    for (std::size_t i = from; i < t.logs.size(); ++i) {
        out += (out.empty() ? "" : " | ") + t.logs[i].message;
    }
    return out.empty() ? "no log lines" : out;
}

net::awaitable<step_result> finished(step_context& ctx, const heroku::transfer& t, bool restore,
                                     std::string_view what) {
    const std::string& app = restore ? ctx.u.request.app : backup_app(ctx.u);
    if (t.succeeded == false) { // Heroku's own "no": only then has the transfer failed
        auto verbose =
            co_await heroku::async_get_transfer(ctx.heroku, app, t.uuid, true);
        std::string logs = verbose ? last_logs(*verbose) : "logs unavailable";
        co_return step_error{std::string(what) + " failed: " + logs, false};
    }
    if (restore && t.warnings > 0 && !ctx.u.request.allow_restore_warnings) {
        co_return step_error{"restore finished with " + std::to_string(t.warnings) +
                                 " warnings; not promoting (allow_restore_warnings is off)",
                             false};
    }
    ctx.u.transfer.processed_bytes = t.processed_bytes;
    ctx.u.transfer.message = "finished";
    ctx.u.transfer.at = ctx.now();
    if (!ctx.commit(event_type::progress, std::string(what) + " finished, " +
                                              std::to_string(t.processed_bytes) + " bytes")) {
        co_return superseded{};
    }
    co_return step_done{};
}

// Polls a transfer until it ends, committing progress at most every progress_every and
// asking for attention once when it makes no progress for stall_after.
net::awaitable<step_result> follow(step_context& ctx, std::string uuid, bool restore) {
    std::string_view what = restore ? "restore" : "backup";
    const std::string app = restore ? ctx.u.request.app : backup_app(ctx.u);
    poll_budget budget;
    auto last_commit = ctx.now();
    auto last_poll = ctx.now();
    std::int64_t last_bytes = ctx.u.transfer.processed_bytes;
    for (;;) {
        auto t = co_await heroku::async_get_transfer(ctx.heroku, app, uuid);
        if (!t) {
            if (!budget.absorb(t.err())) {
                co_return heroku_failure(std::string(what) + " status", t.err());
            }
        } else {
            budget.succeeded();
            if (t->canceled_at) {
                co_return step_error{std::string(what) + " was cancelled on Heroku", false};
            }
            // Finished without Heroku's word on success is "not known yet": poll again.
            if (t->finished_at && t->succeeded.has_value()) {
                co_return co_await finished(ctx, *t, restore, what);
            }
            auto now = ctx.now();
            std::int64_t gained = t->processed_bytes - last_bytes;
            if (gained > 0 || !ctx.u.transfer.at) {
                ctx.u.transfer.at = now;
            }
            ctx.u.transfer.processed_bytes = t->processed_bytes;
            if (t->source_bytes > 0) {
                ctx.u.transfer.total_bytes = t->source_bytes;
            }
            ctx.u.transfer.message = t->started_at ? "running" : "pending";
            if (!ctx.u.needs_attention && now - *ctx.u.transfer.at >= ctx.opts.stall_after) {
                co_return stalled{std::string(what) + " made no progress since " +
                                  std::to_string(ctx.u.transfer.processed_bytes) + " bytes"};
            }
            if (now - last_commit >= ctx.opts.progress_every) {
                if (!ctx.commit(event_type::progress,
                                std::to_string(t->processed_bytes) + " bytes")) {
                    co_return superseded{};
                }
                last_commit = now;
                if (restore) {
                    crash_point("mid_restore");
                }
            }
            auto interval =
                next_poll(ctx, gained, std::chrono::duration_cast<milliseconds>(now - last_poll),
                          t->source_bytes - t->processed_bytes);
            last_poll = now;
            last_bytes = t->processed_bytes;
            if (!co_await ctx.nap(interval)) {
                co_return superseded{};
            }
            continue;
        }
        if (!co_await ctx.nap(ctx.opts.poll_interval)) {
            co_return superseded{};
        }
    }
}

} // namespace

net::awaitable<step_result> step_capturing(step_context& ctx) {
    upgrade& u = ctx.u;
    if (u.backup_uuid.empty()) {
        auto own = co_await find_own_transfer(ctx, false);
        if (!own) {
            co_return heroku_failure("look for an earlier backup", own.err());
        }
        std::string how = "adopted";
        heroku::transfer t;
        if (*own) {
            t = **own;
        } else {
            auto made = co_await heroku::async_capture_backup(ctx.heroku, u.source_addon_id);
            if (!made) {
                co_return heroku_failure("capture backup", made.err());
            }
            crash_point("after_capture");
            t = *made;
            how = "started";
        }
        u.backup_uuid = t.uuid;
        u.backup_num = t.num;
        if (!ctx.commit(event_type::effect_recorded, how + " backup b" + std::to_string(t.num))) {
            co_return superseded{};
        }
    }
    co_return co_await follow(ctx, u.backup_uuid, false);
}

net::awaitable<step_result> step_restoring(step_context& ctx) {
    upgrade& u = ctx.u;
    if (u.restore_uuid.empty()) {
        auto own = co_await find_own_transfer(ctx, true);
        if (!own) {
            co_return heroku_failure("look for an earlier restore", own.err());
        }
        std::string how = "adopted";
        heroku::transfer t;
        if (*own) {
            t = **own;
        } else {
            auto backup =
                co_await heroku::async_get_transfer(ctx.heroku, backup_app(u), u.backup_uuid);
            if (!backup) {
                co_return heroku_failure("read backup", backup.err());
            }
            if (!backup->succeeded) {
                co_return step_error{"backup b" + std::to_string(backup->num) +
                                         ": Heroku has not said yet whether it succeeded",
                                     true};
            }
            if (!*backup->succeeded || !backup->to_url) {
                co_return step_error{"backup b" + std::to_string(backup->num) +
                                         " has no stored copy to restore",
                                     false};
            }
            auto extensions = co_await restore_extensions(ctx);
            if (!extensions && extensions.err().id == heroku::error_ids::cancelled) {
                co_return superseded{};
            }
            if (!extensions) {
                co_return heroku_failure("find the source's extensions", extensions.err());
            }
            if (!ctx.commit(event_type::effect_requested,
                            "restore b" + std::to_string(backup->num) + " into " +
                                u.target_addon_name + " with extensions: " + extensions->reason)) {
                co_return superseded{};
            }
            auto made = co_await heroku::async_create_restore(ctx.heroku, u.target_addon_id,
                                                              *backup->to_url, extensions->names);
            if (!made) {
                co_return heroku_failure("start restore", made.err());
            }
            crash_point("after_restore");
            t = *made;
            how = "started";
        }
        u.restore_uuid = t.uuid;
        u.transfer = {};
        if (!ctx.commit(event_type::effect_recorded, how + " restore r" + std::to_string(t.num))) {
            co_return superseded{};
        }
    }
    co_return co_await follow(ctx, u.restore_uuid, true);
}

} // namespace pgshift::daemon
