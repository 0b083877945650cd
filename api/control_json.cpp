// JSON rendering of the control API's shapes: upgrade, event, list pages, errors. Pure.
#include "api/control_json.hpp"

#include "common/rfc3339.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace pgshift::api {

namespace {

using json = nlohmann::ordered_json; // keeps the contract's field order for humans

json time_or_null(const std::optional<time_point>& t) {
    return t ? json(format_rfc3339(*t)) : json(nullptr);
}

json text_or_null(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

// "Null before a transfer started": the capture's uuid is recorded when it starts.
bool transfer_started(const upgrade& u) {
    return !u.backup_uuid.empty() || u.transfer.at.has_value() || u.transfer.processed_bytes > 0;
}

template<typename T>
json value_or_null(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json seconds_of(std::int64_t ms) {
    return static_cast<double>(ms) / 1000.0;
}

json progress_json(const upgrade& u, time_point now) {
    if (!transfer_started(u)) {
        return nullptr;
    }
    const auto derived = derive_progress(u, now);
    return {{"processed_bytes", u.transfer.processed_bytes},
            {"total_bytes", value_or_null(u.transfer.total_bytes)},
            {"percent", value_or_null(derived.percent)},
            {"eta_seconds", value_or_null(derived.eta_seconds)},
            {"message", u.transfer.message},
            {"estimated_bytes", derived.estimated_bytes},
            {"estimated", derived.estimated},
            {"estimated_percent", value_or_null(derived.estimated_percent)},
            {"estimated_eta_seconds", value_or_null(derived.estimated_eta_seconds)}};
}

json downtime_json(const upgrade& u, time_point now) {
    const auto d = derive_downtime(u, now);
    if (!d) {
        return nullptr;
    }
    return {{"began_at", format_rfc3339(d->began)},
            {"ended_at", time_or_null(d->ended)},
            {"in_maintenance", !d->ended.has_value()},
            {"seconds", seconds_of(d->ms)},
            {"heroku_transfer_seconds", d->heroku_ms ? seconds_of(*d->heroku_ms) : json()},
            {"overhead_seconds", d->overhead_ms ? seconds_of(*d->overhead_ms) : json()}};
}

json waiting_json(const std::optional<waiting_status>& w) {
    if (!w) {
        return nullptr;
    }
    return {{"reason", to_string(w->reason)},
            {"place", w->place},
            {"since", format_rfc3339(w->since)},
            {"detail", w->detail}};
}

json addon_json(const std::string& id, const std::string& name) {
    if (id.empty() && name.empty()) {
        return nullptr;
    }
    return {{"id", text_or_null(id)}, {"name", text_or_null(name)}};
}

json timings_json(const std::vector<persistence::step_timing>& timings) {
    json out = json::array();
    for (const auto& t : timings) {
        json seconds = nullptr;
        if (t.finished_at) {
            seconds = static_cast<double>((*t.finished_at - t.started_at).count()) / 1000.0;
        }
        out.push_back({{"step", to_string(t.step)},
                       {"started_at", format_rfc3339(t.started_at)},
                       {"finished_at", time_or_null(t.finished_at)},
                       {"seconds", seconds}});
    }
    return out;
}

json options_json(const upgrade_request& r) {
    return {{"verify", r.verify},
            {"allow_restore_warnings", r.allow_restore_warnings},
            {"downtime_at", time_or_null(r.downtime_at)},
            {"remove_source_after",
             r.remove_source_after ? json(r.remove_source_after->count()) : json()},
            {"webhook_url", r.webhook_url ? json(*r.webhook_url) : json()},
            {"keep_target_on_rollback", r.keep_target_on_rollback},
            {"extensions", r.extensions},
            {"max_downtime_concurrency", value_or_null(r.max_downtime_concurrency)}};
}

json formation_json(const std::vector<process_quantity>& formation) {
    json out = json::array();
    for (const auto& p : formation) {
        out.push_back({{"type", p.type}, {"quantity", p.quantity}});
    }
    return out;
}

json upgrade_json(const upgrade_view& view) {
    const upgrade& u = view.record;
    json backup = nullptr;
    if (!u.backup_uuid.empty()) {
        backup = {{"uuid", u.backup_uuid}, {"num", u.backup_num ? json(*u.backup_num) : json()}};
    }
    return {{"id", u.id},
            {"app", u.request.app},
            {"plan", u.request.plan},
            {"version", u.request.pg_version ? json(*u.request.pg_version) : json()},
            {"source_plan", text_or_null(u.source_plan)},
            {"source_app", text_or_null(u.source_app)},
            {"source_version", text_or_null(u.source_version)},
            {"target_version", text_or_null(u.target_version)},
            {"state", to_string(u.current)},
            {"paused", u.paused},
            {"needs_attention", u.needs_attention},
            {"attempt", u.attempt},
            {"step_started_at", time_or_null(u.step_started_at)},
            {"waiting", waiting_json(view.waiting)},
            {"progress", progress_json(u, view.now)},
            {"downtime", downtime_json(u, view.now)},
            {"formation", formation_json(u.formation)},
            {"maintenance_before", u.original_maintenance ? json(*u.original_maintenance) : json()},
            {"source_addon", addon_json(u.source_addon_id, u.source_addon_name)},
            {"target_addon", addon_json(u.target_addon_id, u.target_addon_name)},
            {"backup", backup},
            {"restore", u.restore_uuid.empty() ? json() : json{{"uuid", u.restore_uuid}}},
            {"last_error", text_or_null(u.last_error)},
            {"timings", timings_json(view.timings)},
            {"options", options_json(u.request)},
            {"created_at", format_rfc3339(u.created_at)},
            {"updated_at", format_rfc3339(u.updated_at)},
            {"finished_at", time_or_null(u.finished_at)}};
}

json event_json(const event_record& e) {
    return {{"seq", e.seq},
            {"at", format_rfc3339(e.at)},
            {"type", to_string(e.type)},
            {"from", e.from ? json(to_string(*e.from)) : json()},
            {"to", e.to ? json(to_string(*e.to)) : json()},
            {"detail", e.detail},
            {"effect_id", e.effect_id != 0 ? json(e.effect_id) : json()},
            {"identity", text_or_null(e.identity)}};
}

// Invalid UTF-8 (a detail copied from a Heroku answer) is replaced, never a throw.
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool transfer_running(const upgrade& u) {
    return (u.current == state::capturing || u.current == state::restoring) && !u.paused &&
           !u.needs_attention;
}

// Extrapolates the last report to `now` at the transfer's mean rate since Heroku started it
// (Heroku's started_at to when processed_bytes last grew): polls are sparse far from the end,
// and a client should not see a figure a minute old. Never past the total, never back.
// Without an estimate, the estimated_* fields repeat the reported ones.
void estimate(const upgrade& u, time_point now, progress_view& v) {
    const auto& t = u.transfer;
    v.estimated_percent = v.percent;
    v.estimated_eta_seconds = v.eta_seconds;
    if (!transfer_running(u) || !t.started_at || !t.at || *t.at <= *t.started_at || now <= *t.at ||
        t.processed_bytes <= 0 || t.processed_bytes >= *t.total_bytes) {
        return;
    }
    const double measured_s = static_cast<double>((*t.at - *t.started_at).count()) / 1000.0;
    const double rate = static_cast<double>(t.processed_bytes) / measured_s; // bytes per second
    const double total = static_cast<double>(*t.total_bytes);
    const double since_s = static_cast<double>((now - *t.at).count()) / 1000.0;
    const double guess = std::min(total, static_cast<double>(t.processed_bytes) + rate * since_s);
    v.estimated_bytes = std::max(t.processed_bytes, static_cast<std::int64_t>(guess));
    v.estimated = true;
    const double fraction = static_cast<double>(v.estimated_bytes) / total;
    v.estimated_percent = std::round(fraction * 1000.0) / 10.0;
    v.estimated_eta_seconds = static_cast<std::int64_t>(
        std::ceil((total - static_cast<double>(v.estimated_bytes)) / rate));
}

} // namespace

progress_view derive_progress(const upgrade& u, time_point now) {
    progress_view v;
    const auto& t = u.transfer;
    v.estimated_bytes = t.processed_bytes;
    if (!t.total_bytes || *t.total_bytes <= 0) {
        return v;
    }
    const double fraction =
        std::min(1.0, static_cast<double>(t.processed_bytes) / static_cast<double>(*t.total_bytes));
    v.percent = std::round(fraction * 1000.0) / 10.0;
    // The rate so far: bytes since Heroku started the transfer (else since the step started),
    // up to the last report. Not the step's start when Heroku's is known: a step entered
    // while paused starts its transfer only after the resume, and the paused time is no
    // part of the transfer's rate.
    const auto from = t.started_at ? t.started_at : u.step_started_at;
    if (t.at && from && *t.at > *from && t.processed_bytes > 0) {
        const double elapsed_s = static_cast<double>((*t.at - *from).count()) / 1000.0;
        const double rate = static_cast<double>(t.processed_bytes) / elapsed_s;
        const double left = static_cast<double>(*t.total_bytes - t.processed_bytes);
        v.eta_seconds = static_cast<std::int64_t>(std::ceil(std::max(0.0, left) / rate));
    }
    estimate(u, now, v);
    return v;
}

std::optional<downtime_view> derive_downtime(const upgrade& u, time_point now) {
    const auto& d = u.downtime;
    if (!d.began) {
        return std::nullopt;
    }
    downtime_view v{*d.began, d.ended};
    // A clock read before the record (another thread's now) counts as no time yet.
    v.ms = std::max<std::int64_t>(0, ((d.ended ? *d.ended : now) - *d.began).count());
    if (d.ended && d.capture_ms > 0 && d.restore_ms > 0) {
        v.heroku_ms = d.capture_ms + d.restore_ms;
        v.overhead_ms = v.ms - *v.heroku_ms;
    }
    return v;
}

std::string render_upgrade(const upgrade_view& u) {
    return dump(upgrade_json(u));
}

std::string render_upgrade_page(const std::vector<upgrade_view>& items,
                                const std::optional<std::string>& next) {
    json list = json::array();
    for (const auto& u : items) {
        list.push_back(upgrade_json(u));
    }
    return dump({{"upgrades", std::move(list)}, {"next", next ? json(*next) : json()}});
}

std::string render_event(const event_record& e) {
    return dump(event_json(e));
}

std::string render_events(const std::vector<event_record>& events) {
    json list = json::array();
    for (const auto& e : events) {
        list.push_back(event_json(e));
    }
    return dump({{"events", std::move(list)}});
}

std::string render_error(const api_error& e) {
    json out = {{"id", e.id}, {"message", e.message}};
    if (e.field) {
        out["field"] = *e.field;
    }
    if (e.upgrade_id) {
        out["upgrade_id"] = *e.upgrade_id;
    }
    return dump(out);
}

} // namespace pgshift::api
