// Decoding the control API's JSON leniently: a field of the wrong type reads as absent.
#include "cli/upgrade_view.hpp"

#include "cli/terminal_text.hpp"
#include "statemachine/state.hpp"

#include <nlohmann/json.hpp>

namespace pgshift::cli {
namespace {

using nlohmann::json;

const json* member(const json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

// Every string is made terminal-safe here, where it enters: last_error, event details and
// add-on names carry Heroku's words, which may hold escape sequences. Trailing newlines
// (libpq's, in errors stored by older versions) would print as a visible "\n": dropped.
std::string text(const json& j, const char* key) {
    const json* v = member(j, key);
    if (v == nullptr) {
        return {};
    }
    if (v->is_string()) {
        std::string_view s = v->get_ref<const std::string&>();
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
            s.remove_suffix(1);
        }
        return terminal_text(s);
    }
    return v->is_number() ? v->dump() : std::string{};
}

std::optional<std::int64_t> integer(const json& j, const char* key) {
    const json* v = member(j, key);
    if (v == nullptr || !v->is_number()) {
        return std::nullopt;
    }
    return v->is_number_float() ? static_cast<std::int64_t>(v->get<double>())
                                : v->get<std::int64_t>();
}

std::optional<double> number(const json& j, const char* key) {
    const json* v = member(j, key);
    return v != nullptr && v->is_number() ? std::optional(v->get<double>()) : std::nullopt;
}

bool flag(const json& j, const char* key) {
    const json* v = member(j, key);
    return v != nullptr && v->is_boolean() && v->get<bool>();
}

std::string addon_name(const json& j, const char* key) {
    const json* v = member(j, key);
    return v != nullptr && v->is_object() ? text(*v, "name") : std::string{};
}

std::optional<progress_view> decode_progress(const json& j) {
    const json* v = member(j, "progress");
    if (v == nullptr || !v->is_object()) {
        return std::nullopt;
    }
    progress_view p;
    p.processed_bytes = integer(*v, "processed_bytes").value_or(0);
    p.total_bytes = integer(*v, "total_bytes");
    p.percent = number(*v, "percent");
    p.eta_seconds = integer(*v, "eta_seconds");
    p.message = text(*v, "message");
    p.estimated_bytes = integer(*v, "estimated_bytes");
    p.estimated = flag(*v, "estimated");
    p.estimated_percent = number(*v, "estimated_percent");
    p.estimated_eta_seconds = integer(*v, "estimated_eta_seconds");
    return p;
}

std::optional<downtime_view> decode_downtime(const json& j) {
    const json* v = member(j, "downtime");
    if (v == nullptr || !v->is_object() || text(*v, "began_at").empty()) {
        return std::nullopt;
    }
    downtime_view d;
    d.began_at = text(*v, "began_at");
    d.ended_at = text(*v, "ended_at");
    d.in_maintenance = d.ended_at.empty();
    d.seconds = number(*v, "seconds");
    d.heroku_transfer_seconds = number(*v, "heroku_transfer_seconds");
    d.overhead_seconds = number(*v, "overhead_seconds");
    return d;
}

std::optional<waiting_view> decode_waiting(const json& j) {
    const json* v = member(j, "waiting");
    if (v == nullptr || !v->is_object()) {
        return std::nullopt;
    }
    return waiting_view{text(*v, "reason"), static_cast<int>(integer(*v, "place").value_or(0)),
                        text(*v, "since"), text(*v, "detail")};
}

void decode_lists(const json& j, upgrade_view& u) {
    if (const json* f = member(j, "formation"); f != nullptr && f->is_array()) {
        for (const auto& p : *f) {
            if (p.is_object()) {
                u.formation.emplace_back(text(p, "type"),
                                         static_cast<int>(integer(p, "quantity").value_or(0)));
            }
        }
    }
    if (const json* t = member(j, "timings"); t != nullptr && t->is_array()) {
        for (const auto& s : *t) {
            if (s.is_object()) {
                u.timings.push_back({text(s, "step"), text(s, "started_at"), text(s, "finished_at"),
                                     number(s, "seconds")});
            }
        }
    }
}

} // namespace

std::optional<upgrade_view> decode_upgrade(const json& j) {
    if (!j.is_object() || text(j, "id").empty() || text(j, "state").empty()) {
        return std::nullopt;
    }
    upgrade_view u;
    u.id = text(j, "id");
    u.app = text(j, "app");
    u.plan = text(j, "plan");
    u.version = text(j, "version");
    u.state = text(j, "state");
    u.paused = flag(j, "paused");
    u.needs_attention = flag(j, "needs_attention");
    u.attempt = static_cast<int>(integer(j, "attempt").value_or(0));
    u.step_started_at = text(j, "step_started_at");
    u.progress = decode_progress(j);
    u.downtime = decode_downtime(j);
    u.waiting = decode_waiting(j);
    u.source_addon = addon_name(j, "source_addon");
    u.target_addon = addon_name(j, "target_addon");
    u.source_app = text(j, "source_app");
    if (const json* o = member(j, "options"); o != nullptr && o->is_object()) {
        u.remove_source_after = integer(*o, "remove_source_after");
        u.keep_target_on_rollback = flag(*o, "keep_target_on_rollback");
    }
    u.last_error = text(j, "last_error");
    u.created_at = text(j, "created_at");
    u.updated_at = text(j, "updated_at");
    u.finished_at = text(j, "finished_at");
    decode_lists(j, u);
    return u;
}

std::optional<event_view> decode_event(const json& j) {
    if (!j.is_object() || !integer(j, "seq")) {
        return std::nullopt;
    }
    return event_view{*integer(j, "seq"), text(j, "at"), text(j, "type"),
                      text(j, "from"),    text(j, "to"), text(j, "detail")};
}

bool is_terminal_state(const std::string& state) {
    const auto s = parse_state(state);
    return s && is_terminal(*s);
}

} // namespace pgshift::cli
