// The one list of an upgrade's stored fields: the store's SQL and carry_step_data derive from it.
#pragma once

#include <algorithm>
#include <string_view>
#include <type_traits>

namespace pgshift {

// Who writes a field, and so which statements it appears in.
enum class field_kind {
    key,       // id and version: the row's name and its compare-and-set counter
    request,   // what the operator asked for: written once, by the INSERT
    status,    // where the upgrade stands: every transition writes it; an operator's command wins
    step_data, // what a step recorded: every transition writes it; the worker's is carried
};

// How carry_step_data merges a step field of the worker's copy into a fresher one.
enum class merge_rule {
    none,   // not step data: the fresher copy's stays
    if_set, // write-once identities: the worker's, when it recorded one
    worker, // the worker's, always (transfer progress; the open effect, also when it closed it)
    larger, // a counter: the larger of the two (effect ids are never reused)
};

struct field_info {
    std::string_view name; // the column, and the SQL parameter :name
    field_kind kind;
    merge_rule merge = merge_rule::none;
};

// The member `path` of an upgrade u, const when u is: one accessor shape for every field.
#define PGSHIFT_MEMBER(path)                                                                       \
    [](auto& u) -> auto& {                                                                         \
        return u.path;                                                                             \
    }

// Calls f(info, get) for every column of the upgrades table, in the order the store selects
// them; get(u) is the member stored there (const when u is). New step data is one line here
// plus a migration in persistence/schema.cpp. The recorded formation has a table of its own.
template<class F>
constexpr void for_each_upgrade_field(F&& f) {
    using enum field_kind;
    using enum merge_rule;
    f(field_info{"id", key}, PGSHIFT_MEMBER(id));
    f(field_info{"app", request}, PGSHIFT_MEMBER(request.app));
    f(field_info{"plan", request}, PGSHIFT_MEMBER(request.plan));
    f(field_info{"pg_version", request}, PGSHIFT_MEMBER(request.pg_version));
    f(field_info{"downtime_at", request}, PGSHIFT_MEMBER(request.downtime_at));
    f(field_info{"verify", request}, PGSHIFT_MEMBER(request.verify));
    f(field_info{"allow_restore_warnings", request},
      PGSHIFT_MEMBER(request.allow_restore_warnings));
    f(field_info{"remove_source_after", request}, PGSHIFT_MEMBER(request.remove_source_after));
    f(field_info{"webhook_url", request}, PGSHIFT_MEMBER(request.webhook_url));
    f(field_info{"idempotency_key", request}, PGSHIFT_MEMBER(idempotency_key));
    f(field_info{"state", status}, PGSHIFT_MEMBER(current));
    f(field_info{"version", key}, PGSHIFT_MEMBER(version));
    f(field_info{"attempt", status}, PGSHIFT_MEMBER(attempt));
    f(field_info{"step_started_at", status}, PGSHIFT_MEMBER(step_started_at));
    f(field_info{"paused", status}, PGSHIFT_MEMBER(paused));
    f(field_info{"needs_attention", status}, PGSHIFT_MEMBER(needs_attention));
    f(field_info{"last_error", status}, PGSHIFT_MEMBER(last_error));
    f(field_info{"source_addon_id", step_data, if_set}, PGSHIFT_MEMBER(source_addon_id));
    f(field_info{"source_addon_name", step_data, if_set}, PGSHIFT_MEMBER(source_addon_name));
    f(field_info{"target_addon_name", step_data, if_set}, PGSHIFT_MEMBER(target_addon_name));
    f(field_info{"target_addon_id", step_data, if_set}, PGSHIFT_MEMBER(target_addon_id));
    f(field_info{"original_maintenance", step_data, if_set}, PGSHIFT_MEMBER(original_maintenance));
    f(field_info{"backup_uuid", step_data, if_set}, PGSHIFT_MEMBER(backup_uuid));
    f(field_info{"backup_num", step_data, if_set}, PGSHIFT_MEMBER(backup_num));
    f(field_info{"restore_uuid", step_data, if_set}, PGSHIFT_MEMBER(restore_uuid));
    f(field_info{"processed_bytes", step_data, worker}, PGSHIFT_MEMBER(transfer.processed_bytes));
    f(field_info{"total_bytes", step_data, worker}, PGSHIFT_MEMBER(transfer.total_bytes));
    f(field_info{"progress_message", step_data, worker}, PGSHIFT_MEMBER(transfer.message));
    f(field_info{"progress_at", step_data, worker}, PGSHIFT_MEMBER(transfer.at));
    f(field_info{"created_at", request}, PGSHIFT_MEMBER(created_at));
    f(field_info{"updated_at", status}, PGSHIFT_MEMBER(updated_at));
    f(field_info{"finished_at", status}, PGSHIFT_MEMBER(finished_at));
    f(field_info{"keep_target_on_rollback", request},
      PGSHIFT_MEMBER(request.keep_target_on_rollback));
    f(field_info{"extensions", request}, PGSHIFT_MEMBER(request.extensions));
    f(field_info{"source_plan", step_data, if_set}, PGSHIFT_MEMBER(source_plan));
    f(field_info{"source_app", step_data, if_set}, PGSHIFT_MEMBER(source_app));
    f(field_info{"source_version", step_data, if_set}, PGSHIFT_MEMBER(source_version));
    f(field_info{"target_version", step_data, if_set}, PGSHIFT_MEMBER(target_version));
    f(field_info{"release_before_promote", step_data, if_set},
      PGSHIFT_MEMBER(release_before_promote));
    f(field_info{"effects", step_data, larger}, PGSHIFT_MEMBER(effects));
    f(field_info{"open_effect", step_data, worker}, PGSHIFT_MEMBER(open_effect));
    f(field_info{"max_downtime_concurrency", request},
      PGSHIFT_MEMBER(request.max_downtime_concurrency));
    f(field_info{"progress_started_at", step_data, worker}, PGSHIFT_MEMBER(transfer.started_at));
    f(field_info{"downtime_began_at", step_data, if_set}, PGSHIFT_MEMBER(downtime.began));
    f(field_info{"downtime_ended_at", step_data, if_set}, PGSHIFT_MEMBER(downtime.ended));
    f(field_info{"capture_ms", step_data, if_set}, PGSHIFT_MEMBER(downtime.capture_ms));
    f(field_info{"restore_ms", step_data, if_set}, PGSHIFT_MEMBER(downtime.restore_ms));
    f(field_info{"restore_extensions", step_data, if_set}, PGSHIFT_MEMBER(restore_extensions));
    f(field_info{"capture_requested_at", step_data, if_set}, PGSHIFT_MEMBER(capture_requested_at));
    f(field_info{"restore_requested_at", step_data, if_set}, PGSHIFT_MEMBER(restore_requested_at));
    f(field_info{"restore_extensions_reason", step_data, if_set},
      PGSHIFT_MEMBER(restore_extensions_reason));
}

#undef PGSHIFT_MEMBER

// Whether a value was recorded: an engaged optional, a non-empty text or list, a non-zero number.
template<class T>
constexpr bool is_recorded(const T& v) {
    if constexpr (requires { v.has_value(); }) {
        return v.has_value();
    } else if constexpr (requires { v.empty(); }) {
        return !v.empty();
    } else {
        return v != T{};
    }
}

// Merges the worker's value `mine` into `theirs` by `rule`. A rule that does not fit the type
// (larger on a text) leaves `theirs`: the carry test of every step field then fails.
template<class T>
constexpr void merge_field(merge_rule rule, const T& mine, T& theirs) {
    switch (rule) {
    case merge_rule::none:
        return;
    case merge_rule::if_set:
        if (is_recorded(mine)) {
            theirs = mine;
        }
        return;
    case merge_rule::worker:
        theirs = mine;
        return;
    case merge_rule::larger:
        if constexpr (std::is_arithmetic_v<T>) {
            theirs = std::max(mine, theirs);
        }
        return;
    }
}

} // namespace pgshift
