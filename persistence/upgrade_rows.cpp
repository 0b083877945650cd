// Mapping between the upgrade record and its row in the upgrades table.
#include "persistence/upgrade_rows.hpp"

#include <sqlite3.h>

namespace pgshift::persistence::rows {
namespace {

std::optional<time_point> opt_time(const sqlite::statement& st, int column) {
    auto ms = st.opt_int64(column);
    return ms ? std::optional(from_ms(*ms)) : std::nullopt;
}

std::optional<std::string> opt_text(const sqlite::statement& st, int column) {
    return st.is_null(column) ? std::nullopt : std::optional(st.text(column));
}

std::optional<std::int64_t> opt_ms(const std::optional<time_point>& t) {
    return t ? std::optional(to_ms(*t)) : std::nullopt;
}

} // namespace

const std::string_view upgrade_columns =
    "id, app, plan, pg_version, downtime_at, verify, allow_restore_warnings, "
    "remove_source_after, webhook_url, idempotency_key, state, version, attempt, "
    "step_started_at, paused, needs_attention, last_error, source_addon_id, source_addon_name, "
    "target_addon_name, target_addon_id, original_maintenance, backup_uuid, backup_num, "
    "restore_uuid, processed_bytes, total_bytes, progress_message, progress_at, created_at, "
    "updated_at, finished_at, keep_target_on_rollback, extensions, source_plan, source_app, "
    "source_version, target_version, release_before_promote, effects, open_effect";

std::string join_extensions(const std::vector<std::string>& names) {
    std::string joined;
    for (const auto& n : names) {
        joined += joined.empty() ? n : "," + n;
    }
    return joined;
}

std::vector<std::string> split_extensions(std::string_view joined) {
    std::vector<std::string> names;
    while (!joined.empty()) {
        auto comma = joined.find(',');
        names.emplace_back(joined.substr(0, comma));
        joined = comma == std::string_view::npos ? std::string_view{} : joined.substr(comma + 1);
    }
    return names;
}

std::int64_t to_ms(time_point t) noexcept {
    return t.time_since_epoch().count();
}
time_point from_ms(std::int64_t ms) noexcept {
    return time_point(std::chrono::milliseconds(ms));
}

upgrade read_upgrade(const sqlite::statement& st) {
    upgrade u;
    u.id = st.text(0);
    u.request.app = st.text(1);
    u.request.plan = st.text(2);
    u.request.pg_version = opt_text(st, 3);
    u.request.downtime_at = opt_time(st, 4);
    u.request.verify = st.int64(5) != 0;
    u.request.allow_restore_warnings = st.int64(6) != 0;
    if (auto s = st.opt_int64(7)) {
        u.request.remove_source_after = std::chrono::seconds(*s);
    }
    u.request.webhook_url = opt_text(st, 8);
    u.idempotency_key = opt_text(st, 9);
    auto parsed = parse_state(st.text(10));
    if (!parsed) {
        throw sqlite::error(SQLITE_CORRUPT,
                            "upgrade " + u.id + " has unknown state '" + st.text(10) + "'");
    }
    u.current = *parsed;
    u.version = st.int64(11);
    u.attempt = static_cast<int>(st.int64(12));
    u.step_started_at = opt_time(st, 13);
    u.paused = st.int64(14) != 0;
    u.needs_attention = st.int64(15) != 0;
    u.last_error = st.text(16);
    u.source_addon_id = st.text(17);
    u.source_addon_name = st.text(18);
    u.target_addon_name = st.text(19);
    u.target_addon_id = st.text(20);
    if (auto m = st.opt_int64(21)) {
        u.original_maintenance = *m != 0;
    }
    u.backup_uuid = st.text(22);
    u.backup_num = st.opt_int64(23);
    u.restore_uuid = st.text(24);
    u.transfer.processed_bytes = st.int64(25);
    u.transfer.total_bytes = st.opt_int64(26);
    u.transfer.message = st.text(27);
    u.transfer.at = opt_time(st, 28);
    u.created_at = from_ms(st.int64(29));
    u.updated_at = from_ms(st.int64(30));
    u.finished_at = opt_time(st, 31);
    u.request.keep_target_on_rollback = st.int64(32) != 0;
    u.request.extensions = split_extensions(st.text(33));
    u.source_plan = st.text(34);
    u.source_app = st.text(35);
    u.source_version = st.text(36);
    u.target_version = st.text(37);
    u.release_before_promote = st.opt_int64(38);
    u.effects = st.int64(39);
    u.open_effect = st.int64(40);
    return u;
}

int bind_mutable(sqlite::statement& st, const upgrade& u) {
    std::optional<std::int64_t> maintenance;
    if (u.original_maintenance) {
        maintenance = *u.original_maintenance ? 1 : 0;
    }
    int i = 1;
    st.bind(i++, to_string(u.current));
    st.bind(i++, std::int64_t{u.attempt});
    st.bind(i++, opt_ms(u.step_started_at));
    st.bind(i++, std::int64_t{u.paused ? 1 : 0});
    st.bind(i++, std::int64_t{u.needs_attention ? 1 : 0});
    st.bind(i++, u.last_error);
    st.bind(i++, u.source_addon_id);
    st.bind(i++, u.source_addon_name);
    st.bind(i++, u.target_addon_name);
    st.bind(i++, u.target_addon_id);
    st.bind(i++, maintenance);
    st.bind(i++, u.backup_uuid);
    st.bind(i++, u.backup_num);
    st.bind(i++, u.restore_uuid);
    st.bind(i++, u.transfer.processed_bytes);
    st.bind(i++, u.transfer.total_bytes);
    st.bind(i++, u.transfer.message);
    st.bind(i++, opt_ms(u.transfer.at));
    st.bind(i++, to_ms(u.updated_at));
    st.bind(i++, opt_ms(u.finished_at));
    st.bind(i++, u.source_plan);
    st.bind(i++, u.source_app);
    st.bind(i++, u.source_version);
    st.bind(i++, u.target_version);
    st.bind(i++, u.release_before_promote);
    st.bind(i++, u.effects);
    st.bind(i++, u.open_effect);
    return i;
}

} // namespace pgshift::persistence::rows
