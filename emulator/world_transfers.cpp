// The emulated account's transfers: backups and restores, simulated or run by pg_dump/pg_restore.
#include "emulator/ids.hpp"
#include "emulator/world.hpp"
#include "emulator/world_state.hpp"

#include <algorithm>

namespace pgshift::emulator {

namespace {

constexpr std::string_view backup_host = "https://heroku-emulator-backups.invalid/";

std::string first_name(const world_state& s, const addon& ad) {
    std::string name;
    for (const auto& [id, at] : s.attachments) {
        if (at.addon_id == ad.id && !at.namespace_ && (name.empty() || at.name == "DATABASE")) {
            name = at.name;
        }
    }
    return name.empty() ? ad.name : name;
}

transfer new_transfer(world_state& s, const addon& ad, transfer_kind kind, transfer_fault fault,
                      time_point now) {
    auto& owner = s.apps.at(ad.app_id);
    transfer t;
    t.uuid = make_uuid();
    t.app_id = owner.id;
    t.num = owner.next_transfer_num++;
    t.kind = kind;
    t.fault = fault;
    t.created_at = t.updated_at = now;
    t.pending_for = s.t.transfer_pending;
    t.bytes_per_second = s.t.throughput_bytes_per_s;
    // A faulted transfer starts no real process, so only the simulated path can end it.
    t.simulated = !ad.real || fault != transfer_fault::none;
    return t;
}

const transfer* backup_by_url(const world_state& s, std::string_view url) {
    for (const auto& [uuid, t] : s.transfers) {
        if (t.kind == transfer_kind::backup && t.to_url == url && !t.deleted_at) {
            return &t;
        }
    }
    return nullptr;
}

// A restore that cannot start still exists, as on Heroku, and fails with a log saying why.
void fail_now(transfer& t, time_point now, std::string why) {
    t.simulated = false;
    t.started_at = t.finished_at = t.updated_at = now;
    t.logs.push_back({now, "error", std::move(why)});
}

} // namespace

outcome<transfer_view> world::capture(std::string_view key, transfer_fault fault) {
    const auto now = clock_();
    std::unique_lock lock{mu_};
    auto& s = *s_;
    auto* ad = lookup_addon(s, key);
    if (!ad || ad->state_at(now) != addon_state::provisioned) {
        return not_found("database", "Couldn't find that database.");
    }
    auto t = new_transfer(s, *ad, transfer_kind::backup, fault, now);
    t.from_name = first_name(s, *ad);
    t.from_type = "pg_dump";
    t.from_url = ad->resource_url;
    t.to_name = "BACKUP";
    t.to_type = "gof3r";
    t.to_url = std::string(backup_host) + t.app_id + "/" + t.uuid + ".dump";
    t.source_addon_id = ad->id;
    t.source_bytes = ad->simulated_bytes;
    t.source_tables = ad->simulated_tables;
    t.dump_file = (state_dir_ / (t.uuid + ".dump")).string();
    record(s, now, "backup", ref_of(s, t.app_id).name, t.display_name(), ad->name);
    const auto uuid = t.uuid;
    const bool real = !t.simulated && fault == transfer_fault::none;
    auto view = view_transfer(s, s.transfers.emplace(uuid, std::move(t)).first->second);
    lock.unlock();
    if (real) {
        start_job(uuid);
    }
    return view;
}

outcome<transfer_view> world::restore(std::string_view key, std::string_view backup_url,
                                      std::vector<std::string> extensions, transfer_fault fault) {
    const auto now = clock_();
    std::unique_lock lock{mu_};
    auto& s = *s_;
    auto* ad = lookup_addon(s, key);
    if (!ad || ad->state_at(now) != addon_state::provisioned) {
        return not_found("database", "Couldn't find that database.");
    }
    if (backup_url.empty()) {
        return invalid("backup_url is required");
    }
    refresh_transfers(s, now);
    auto t = new_transfer(s, *ad, transfer_kind::restore, fault, now);
    t.from_name = "BACKUP";
    t.from_type = "gof3r";
    t.from_url = backup_url;
    t.to_name = first_name(s, *ad);
    t.to_type = "pg_restore";
    t.to_url = ad->resource_url;
    t.target_addon_id = ad->id;
    const auto* src = backup_by_url(s, backup_url);
    if (!src || !src->succeeded) {
        fail_now(t, now, "could not fetch backup: no finished, succeeded backup at that URL");
    } else {
        t.source_bytes = src->processed_bytes;
        t.source_tables = src->source_tables;
        t.dump_file = src->dump_file;
    }
    std::string detail = ad->name;
    for (std::size_t i = 0; i < extensions.size(); ++i) {
        detail += (i == 0 ? " extensions " : ",") + extensions[i];
    }
    t.extensions = std::move(extensions);
    record(s, now, "restore", ref_of(s, t.app_id).name, t.display_name(), detail);
    const auto uuid = t.uuid;
    const bool real = ad->real && src && src->succeeded && fault == transfer_fault::none;
    auto view = view_transfer(s, s.transfers.emplace(uuid, std::move(t)).first->second);
    lock.unlock();
    if (real) {
        start_job(uuid);
    }
    return view;
}

void world::start_job(const std::string& uuid) {
    std::string key;
    std::filesystem::path file;
    std::vector<std::string> extensions;
    transfer_kind kind{};
    {
        std::lock_guard lock{mu_};
        auto& t = s_->transfers.at(uuid);
        t.started_at = clock_();
        kind = t.kind;
        key = kind == transfer_kind::backup ? t.source_addon_id : t.target_addon_id;
        file = t.dump_file;
        extensions = t.extensions;
    }
    job_callbacks cb;
    cb.on_progress = [this, uuid](std::int64_t bytes) {
        job_progress(uuid, bytes);
    };
    cb.on_done = [this, uuid](const job_result& r) {
        job_done(uuid, r);
    };
    // The job may call back at once, so it is started without the lock and filed after.
    std::unique_ptr<database_job> job;
    try {
        job = kind == transfer_kind::backup ? host_->dump(key, file, cb)
                                            : host_->restore(file, key, extensions, cb);
    } catch (const std::exception& e) {
        std::lock_guard lock{mu_};
        fail_now(s_->transfers.at(uuid), clock_(), std::string("could not start: ") + e.what());
        return;
    }
    std::lock_guard lock{mu_};
    s_->jobs.emplace(uuid, std::move(job));
}

void world::job_progress(const std::string& uuid, std::int64_t bytes) {
    std::lock_guard lock{mu_};
    if (auto it = s_->transfers.find(uuid); it != s_->transfers.end()) {
        it->second.processed_bytes = bytes;
        it->second.updated_at = clock_();
    }
}

void world::job_done(const std::string& uuid, const job_result& r) {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto it = s_->transfers.find(uuid);
    if (it == s_->transfers.end() || it->second.finished_at) {
        return; // canceled meanwhile: the cancel already finished it
    }
    auto& t = it->second;
    t.succeeded = r.succeeded;
    t.warnings = r.warnings;
    t.processed_bytes = r.bytes;
    t.source_bytes = std::max(t.source_bytes, r.bytes);
    for (const auto& line : r.logs) {
        t.logs.push_back({now, r.succeeded ? "info" : "error", line});
    }
    t.finished_at = t.updated_at = now;
    record(*s_, now, "transfer_finished", ref_of(*s_, t.app_id).name, t.display_name(),
           t.succeeded ? "succeeded" : "failed");
}

outcome<std::vector<transfer_view>> world::transfers(std::string_view app_key) const {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, app_key);
    if (!a) {
        return app_not_found(app_key);
    }
    refresh_transfers(*s_, now);
    std::vector<transfer_view> out;
    for (const auto& [uuid, t] : s_->transfers) {
        if (t.app_id == a->id && !t.deleted_at) {
            out.push_back(view_transfer(*s_, t));
        }
    }
    std::sort(out.begin(), out.end(),
              [](const auto& x, const auto& y) { return x.record.num < y.record.num; });
    return out;
}

namespace {

transfer* lookup_transfer(world_state& s, const app& a, std::string_view key) {
    for (auto& [uuid, t] : s.transfers) {
        if (t.app_id == a.id && matches(t, key)) {
            return &t;
        }
    }
    return nullptr;
}

api_error transfer_not_found() {
    return not_found("transfer", "Couldn't find that transfer.");
}

} // namespace

outcome<transfer_view> world::find_transfer(std::string_view app_key, std::string_view key) const {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, app_key);
    if (!a) {
        return app_not_found(app_key);
    }
    refresh_transfers(*s_, now);
    auto* t = lookup_transfer(*s_, *a, key);
    if (!t) {
        return transfer_not_found();
    }
    return view_transfer(*s_, *t);
}

outcome<transfer_view> world::cancel_transfer(std::string_view app_key, std::string_view key) {
    const auto now = clock_();
    database_job* job = nullptr;
    transfer_view view;
    {
        std::lock_guard lock{mu_};
        auto* a = lookup_app(*s_, app_key);
        if (!a) {
            return app_not_found(app_key);
        }
        refresh_transfers(*s_, now);
        auto* t = lookup_transfer(*s_, *a, key);
        if (!t) {
            return transfer_not_found();
        }
        if (t->finished_at) {
            return invalid("Transfer " + t->display_name() + " has already finished.");
        }
        // Our choice: a cancel also sets finished_at, so every client sees a final state.
        t->canceled_at = t->finished_at = t->updated_at = now;
        t->succeeded = false;
        t->logs.push_back({now, "error", "canceled by user"});
        record(*s_, now, "transfer_canceled", a->name, t->display_name());
        if (auto it = s_->jobs.find(t->uuid); it != s_->jobs.end()) {
            job = it->second.get();
        }
        view = view_transfer(*s_, *t);
    }
    // Jobs only die on the event loop (reset, shutdown), the thread we are on: `job` lives.
    if (job) {
        job->cancel();
    }
    return view;
}

outcome<transfer_view> world::delete_transfer(std::string_view app_key, std::string_view key) {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, app_key);
    if (!a) {
        return app_not_found(app_key);
    }
    refresh_transfers(*s_, now);
    auto* t = lookup_transfer(*s_, *a, key);
    if (!t || t->deleted_at) {
        return transfer_not_found();
    }
    if (!t->finished_at) {
        return invalid("Transfer " + t->display_name() + " is still running; cancel it first.");
    }
    t->deleted_at = t->updated_at = now;
    record(*s_, now, "transfer_deleted", a->name, t->display_name());
    return view_transfer(*s_, *t);
}

} // namespace pgshift::emulator
