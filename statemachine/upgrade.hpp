// The upgrade record: what the operator asked for and everything a step must remember.
#pragma once

#include "common/time.hpp"
#include "statemachine/event_type.hpp"
#include "statemachine/state.hpp"
#include "statemachine/upgrade_fields.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgshift {

// What the operator asked for. Never changes after creation.
struct upgrade_request {
    std::string app;
    std::string plan;                      // e.g. "heroku-postgresql:standard-0"
    std::optional<std::string> pg_version; // pinned Postgres major version, e.g. "16"
    std::optional<time_point> downtime_at; // provision now, take the downtime then
    bool verify = true;                    // compare tables and row counts before promoting
    bool allow_restore_warnings = false;
    std::optional<std::chrono::seconds> remove_source_after; // destroy the old add-on after this
    std::optional<std::string> webhook_url;
    bool keep_target_on_rollback = false; // a rollback destroys the add-on it created, unless set
    std::vector<std::string> extensions;  // for the restore; empty: the source's installed ones
    // Enter maintenance only while fewer than this many apps are in it (this one not counted);
    // unset: pgshiftd's [schedule] max_downtime_concurrency.
    std::optional<int> max_downtime_concurrency;

    bool operator==(const upgrade_request&) const = default;
};

// A process type's quantity as read before scaling down; restored exactly afterwards.
struct process_quantity {
    std::string type;
    int quantity = 0;

    bool operator==(const process_quantity&) const = default;
};

// The app's downtime as pgshift caused it: from the intent of its maintenance-on request to
// the answer of its maintenance-off one (the rollback's included), and Heroku's own time
// for the capture and the restore within it (created_at to finished_at, whole seconds on
// Heroku). Downtime minus capture and restore is pgshift's overhead.
struct downtime_record {
    std::optional<time_point> began;
    std::optional<time_point> ended;
    std::int64_t capture_ms = 0;
    std::int64_t restore_ms = 0;

    bool operator==(const downtime_record&) const = default;
};

// Progress of the running transfer, as Heroku last reported it.
struct progress {
    std::int64_t processed_bytes = 0;
    std::optional<std::int64_t> total_bytes;
    std::string message;
    std::optional<time_point> at;         // when processed_bytes last grew (or was first read)
    std::optional<time_point> started_at; // Heroku's started_at of the running transfer

    bool operator==(const progress&) const = default;
};

struct upgrade {
    std::string id;
    upgrade_request request;
    std::optional<std::string> idempotency_key;

    state current = state::pending;
    std::int64_t version = 0; // compare-and-set counter; every committed transition bumps it
    int attempt = 0;          // attempts at the current step
    std::optional<time_point> step_started_at;
    bool paused = false;
    bool needs_attention = false;
    std::string last_error;

    // Step data: the identities that let a resumed worker recognise its own side effects.
    std::string source_addon_id;
    std::string source_addon_name;
    std::string source_plan;    // e.g. "heroku-postgresql:essential-0"
    std::string source_app;     // the app that owns the source add-on (it may be shared)
    std::string source_version; // the source's Postgres version as Heroku reports it, "15.4"
    std::string target_version; // the major version pinned for the target: asked, or the source's
    std::string target_addon_name; // deterministic, derived from id, recorded before creating
    std::string target_addon_id;
    std::optional<bool> original_maintenance;
    std::vector<process_quantity> formation; // recorded once, never overwritten
    std::string backup_uuid;
    std::optional<std::int64_t> backup_num;
    std::string restore_uuid;
    // When this upgrade first asked Heroku for a capture / a restore (with the intent): a
    // step that never asked has no transfer of its own to look for before asking.
    std::optional<time_point> capture_requested_at;
    std::optional<time_point> restore_requested_at;
    std::optional<std::int64_t> release_before_promote; // newest release before the promote POST
    // The extensions the restore asks Heroku to pre-install, chosen before the downtime
    // (reason non-empty once chosen; the list may then be empty).
    std::vector<std::string> restore_extensions;
    std::string restore_extensions_reason;
    progress transfer;
    downtime_record downtime;
    std::int64_t effects = 0;     // Heroku writes requested so far: effect ids count up
    std::int64_t open_effect = 0; // a requested effect whose outcome is not recorded yet; 0: none

    time_point created_at{};
    time_point updated_at{};
    std::optional<time_point> finished_at;

    bool operator==(const upgrade&) const = default;
};

// One entry of an upgrade's append-only history.
struct event_record {
    std::string upgrade_id;
    std::int64_t seq = 0; // 1, 2, 3 … per upgrade, without gaps
    time_point at{};
    event_type type = event_type::created;
    std::optional<state> from;
    std::optional<state> to;
    std::string detail;
    // effect_requested: the effect it requests; effect_recorded / effect_failed: the effect it
    // completes (the same id). 0: the entry is about no effect.
    std::int64_t effect_id = 0;
    std::string identity{}; // what Heroku named: add-on id, transfer uuid, release version; or ""

    bool operator==(const event_record&) const = default;
};

} // namespace pgshift

namespace pgshift {

// Copies the step data a worker recorded (identities, recorded formation and maintenance,
// transfer progress, its effects) onto `into`, a fresher copy of the same upgrade that an
// operator command changed meanwhile: every step_data field of for_each_upgrade_field, by its
// merge rule. Identities are write-once, so the worker's are never older.
inline void carry_step_data(const upgrade& from, upgrade& into) {
    for_each_upgrade_field([&](const field_info& field, auto get) {
        if (field.kind == field_kind::step_data) {
            merge_field(field.merge, get(from), get(into));
        }
    });
    // The formation's own table is written once: a recorded one is never replaced.
    if (into.formation.empty()) {
        into.formation = from.formation;
    }
}

} // namespace pgshift
