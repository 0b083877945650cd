// Capture a backup of the source and restore it into the target: adopt or start once, then
// follow it to its end.
#include "statemachine/plan_common.hpp"
#include "statemachine/plans.hpp"
#include "statemachine/poll_schedule.hpp"

#include <algorithm>
#include <set>

namespace pgshift::plan {
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
    if (!t.created_at || !step_started) {
        return false;
    }
    return *t.created_at >= std::chrono::floor<std::chrono::seconds>(*step_started);
}

// The app whose transfers list a backup of the source: the add-on's owner, which is another
// app when DATABASE is shared (pg:backups:capture follows it by db.app.name too).
const std::string& backup_app(const upgrade& u) {
    return u.source_app.empty() ? u.request.app : u.source_app;
}

struct transfer_kind {
    bool restore = false;
    const char* what = "backup"; // "backup" | "restore"
    char letter = 'b';           // Heroku names them b001, r002
};
constexpr transfer_kind backup_kind{false, "backup", 'b'};
constexpr transfer_kind restore_kind{true, "restore", 'r'};

const std::string& app_of(const upgrade& u, transfer_kind k) {
    return k.restore ? u.request.app : backup_app(u);
}

// A transfer of ours that a crash kept us from recording: the newest matching one created
// since this step began. With no clock skew tolerance on purpose: adopting an older backup
// could restore data from before maintenance; at worst we start a second transfer.
task<heroku::outcome<std::optional<heroku::transfer>>> find_own_transfer(step_env& env,
                                                                         transfer_kind k) {
    const std::string addon = k.restore ? env.u.target_addon_id : env.u.source_addon_id;
    const std::string app = app_of(env.u, k);
    // A transfer names its database by attachment: every attachment name of the add-on.
    auto attachments = co_await ask<rq::list_attachments>(app);
    if (!attachments) {
        co_return attachments.err();
    }
    std::set<std::string> names;
    for (const auto& a : *attachments) {
        if (a.addon.id == addon) {
            names.insert(a.name);
        }
    }
    auto transfers = co_await ask<rq::list_transfers>(app);
    if (!transfers) {
        co_return transfers.err();
    }
    std::optional<heroku::transfer> best;
    for (const auto& t : *transfers) {
        const auto& db = k.restore ? t.to_name : t.from_name;
        bool kind = k.restore ? is_restore(t) : is_backup(t);
        if (kind && db && names.count(*db) && created_since(t, env.u.step_started_at) &&
            (!best || t.num > best->num)) {
            best = t;
        }
    }
    co_return best;
}

std::string listed(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ",") + n;
    }
    return out.empty() ? "none" : out;
}

// What starting a transfer gave: the transfer, or how the step ends instead.
using started = std::variant<heroku::transfer, step_outcome>;

task<started> start_backup(step_env& env) {
    upgrade& u = env.u;
    if (!u.capture_requested_at) {
        u.capture_requested_at = env.now; // committed with the intent
    }
    auto made = co_await act<rq::capture_backup>(
        "capture", "capture a backup of " + u.source_addon_name, u.source_addon_id);
    if (!made) {
        co_return step_outcome{heroku_failure("capture backup", made.err())};
    }
    co_return *made;
}

task<started> start_restore(step_env& env) {
    upgrade& u = env.u;
    auto backup = co_await ask<rq::get_transfer>(backup_app(u), u.backup_uuid, false);
    if (!backup) {
        co_return step_outcome{heroku_failure("read backup", backup.err())};
    }
    const std::string name = "b" + std::to_string(backup->num);
    if (!backup->succeeded) {
        co_return step_outcome{
            step_error{"backup " + name + ": Heroku has not said yet whether it succeeded", true}};
    }
    if (!*backup->succeeded || !backup->to_url) {
        co_return step_outcome{
            step_error{"backup " + name + " has no stored copy to restore", false}};
    }
    chosen_extensions chosen{u.restore_extensions, u.restore_extensions_reason};
    if (chosen.reason.empty()) {
        // Not chosen before the downtime (an upgrade an older pgshiftd took down): now.
        auto extensions = co_await restore_extensions(env);
        if (!extensions) {
            co_return step_outcome{
                heroku_failure("find the source's extensions", extensions.err())};
        }
        chosen = *extensions;
    }
    if (!u.restore_requested_at) {
        u.restore_requested_at = env.now; // committed with the intent
    }
    auto made = co_await act<rq::create_restore>(
        "restore",
        "restore " + name + " into " + u.target_addon_name + " with extensions: " + chosen.reason,
        u.target_addon_id, *backup->to_url, chosen.names);
    if (!made) {
        co_return step_outcome{heroku_failure("start restore", made.err())};
    }
    co_return *made;
}

std::string last_logs(const heroku::transfer& t) {
    std::string out;
    std::size_t from = t.logs.size() > 5 ? t.logs.size() - 5 : 0;
    for (std::size_t i = from; i < t.logs.size(); ++i) {
        out += (out.empty() ? "" : " | ") + t.logs[i].message;
    }
    return out.empty() ? "no log lines" : out;
}

task<step_outcome> finished(step_env& env, heroku::transfer t, transfer_kind k) {
    upgrade& u = env.u;
    if (t.succeeded == false) { // Heroku's own "no": only then has the transfer failed
        auto verbose = co_await ask<rq::get_transfer>(app_of(u, k), t.uuid, true);
        std::string logs = verbose ? last_logs(*verbose) : "logs unavailable";
        co_return step_error{std::string(k.what) + " failed: " + logs, false};
    }
    if (k.restore && t.warnings > 0 && !u.request.allow_restore_warnings) {
        co_return step_error{"restore finished with " + std::to_string(t.warnings) +
                                 " warnings; not promoting (allow_restore_warnings is off)",
                             false};
    }
    u.transfer.processed_bytes = t.processed_bytes;
    u.transfer.message = "finished";
    u.transfer.at = env.now;
    if (t.created_at && t.finished_at && *t.finished_at >= *t.created_at) {
        // Heroku's own time for it, within the downtime: what pgshift cannot shorten.
        const auto took =
            std::chrono::duration_cast<milliseconds>(*t.finished_at - *t.created_at).count();
        (k.restore ? u.downtime.restore_ms : u.downtime.capture_ms) =
            std::max<std::int64_t>(took, 1);
    }
    co_await commit(event_type::progress, std::string(k.what) + " finished, " +
                                              std::to_string(t.processed_bytes) + " bytes");
    co_return step_done{};
}

// Polls the transfer until it ends, on the poll schedule (poll_schedule.hpp), committing
// progress at most every progress_every and asking for attention once when it makes no
// progress for stall_after.
task<step_outcome> follow(step_env& env, transfer_kind k, bool just_started) {
    upgrade& u = env.u;
    const time_point followed_from = env.now; // progress is committed at most this often from
    if (just_started) {
        // Its answer said pending a moment ago: asking again at once cannot say more.
        co_await wait(backoff_delay(env.opts, in_downtime(u), milliseconds(0)));
    }
    const std::string uuid = k.restore ? u.restore_uuid : u.backup_uuid;
    const std::string app = app_of(u, k);
    std::optional<heroku::transfer> last;
    step_outcome r = co_await poll(
        env, std::string(k.what) + " status",
        [&] {
            return rq::get_transfer{app, uuid, false};
        },
        [&env, &last, k, last_commit = followed_from, pace = transfer_pace{},
         last_bytes = env.u.transfer.processed_bytes](
            const rq::get_transfer::answer& t) mutable -> std::optional<verdict> {
            if (!t) {
                return std::nullopt;
            }
            upgrade& u = env.u;
            if (t->canceled_at) {
                return step_error{std::string(k.what) + " was cancelled on Heroku", false};
            }
            // Finished without Heroku's word on success is "not known yet": poll again.
            if (t->finished_at && t->succeeded.has_value()) {
                last = *t;
                return step_done{};
            }
            const time_point now = env.now;
            std::int64_t gained = t->processed_bytes - last_bytes;
            if (gained > 0 || !u.transfer.at) {
                u.transfer.at = now;
            }
            u.transfer.processed_bytes = t->processed_bytes;
            if (t->source_bytes > 0) {
                u.transfer.total_bytes = t->source_bytes;
            }
            u.transfer.message = t->started_at ? "running" : "pending";
            u.transfer.started_at = t->started_at;
            if (!u.needs_attention && now - *u.transfer.at >= env.opts.stall_after) {
                return stalled{std::string(k.what) + " made no progress since " +
                               std::to_string(u.transfer.processed_bytes) + " bytes"};
            }
            pace.observe(now, t->processed_bytes, t->source_bytes);
            again next{pace.next_delay(env.opts, in_downtime(u))};
            if (now - last_commit >= env.opts.progress_every) {
                next.progress = commit_effect{event_type::progress,
                                              std::to_string(t->processed_bytes) + " bytes", "",
                                              k.restore ? "mid_restore" : ""};
                last_commit = now;
            }
            last_bytes = t->processed_bytes;
            return next;
        });
    if (!std::holds_alternative<step_done>(r)) {
        co_return r;
    }
    co_return co_await finished(env, *last, k);
}

// The one adopt-or-start: a transfer of ours recorded, adopted after a crash, or started;
// then followed to its end.
task<step_outcome> adopt_or_start(step_env& env, transfer_kind k,
                                  task<started> (*start)(step_env&)) {
    upgrade& u = env.u;
    bool started_now = false;
    if ((k.restore ? u.restore_uuid : u.backup_uuid).empty()) {
        // Only a step that asked before (its intent committed, then a crash, a lost answer
        // or an operator's command) can have a transfer of its own to find.
        const bool asked =
            (k.restore ? u.restore_requested_at : u.capture_requested_at).has_value();
        heroku::outcome<std::optional<heroku::transfer>> own{std::nullopt};
        if (asked) {
            own = co_await find_own_transfer(env, k);
        }
        if (!own) {
            co_return heroku_failure(std::string("look for an earlier ") + k.what, own.err());
        }
        std::string how = "adopted";
        heroku::transfer t;
        if (*own) {
            t = **own;
        } else {
            started s = co_await start(env);
            if (auto* end = std::get_if<step_outcome>(&s)) {
                co_return *end;
            }
            t = std::get<heroku::transfer>(s);
            how = "started";
            started_now = true;
        }
        if (k.restore) {
            u.restore_uuid = t.uuid;
            u.transfer = {};
        } else {
            u.backup_uuid = t.uuid;
            u.backup_num = t.num;
        }
        co_await commit(event_type::effect_recorded,
                        how + " " + k.what + " " + k.letter + std::to_string(t.num), t.uuid);
    }
    co_return co_await follow(env, k, started_now);
}

} // namespace

task<heroku::outcome<chosen_extensions>> restore_extensions(step_env& env) {
    const upgrade& u = env.u;
    if (!u.request.extensions.empty()) {
        co_return chosen_extensions{u.request.extensions,
                                    listed(u.request.extensions) + " (asked)"};
    }
    auto attachments = co_await ask<rq::list_attachments>(u.request.app);
    if (!attachments) {
        co_return attachments.err();
    }
    auto vars = co_await ask<rq::get_config_vars>(u.request.app);
    if (!vars) {
        co_return vars.err();
    }
    auto url = url_of(*attachments, *vars, u.source_addon_id);
    if (!url) {
        co_return chosen_extensions{{}, "none (the source's URL is not in the config vars)"};
    }
    // A passing failure (a timeout, a blip) must not cost the restore its extensions: asked
    // three times before the source counts as unreachable from here (a Private Space).
    extension_list report;
    for (int attempt = 1; attempt <= 3; ++attempt) {
        report = co_await ask<rq::read_extensions>(*url);
        if (report.ok || attempt == 3) {
            break;
        }
        co_await wait(env.opts.poll_interval);
    }
    if (!report.ok) {
        co_return chosen_extensions{{}, "none (cannot read the source's: " + report.message + ")"};
    }
    co_return chosen_extensions{report.names, listed(report.names) + " (installed on the source)"};
}

task<step_outcome> plan_capturing(step_env& env) {
    co_return co_await adopt_or_start(env, backup_kind, start_backup);
}

task<step_outcome> plan_restoring(step_env& env) {
    co_return co_await adopt_or_start(env, restore_kind, start_restore);
}

} // namespace pgshift::plan
