// Schema migrations, versioned by PRAGMA user_version, forward only.
#include "persistence/schema.hpp"

#include <array>
#include <string>
#include <string_view>

namespace pgshift::persistence {
namespace {

// Migration N brings the schema from version N-1 to N. Append only: a shipped migration is
// never edited, since databases in the field already ran it.
constexpr std::array<std::string_view, 7> migrations{
    // 1: upgrades (current state + step data), their append-only history, recorded formation.
    R"sql(
CREATE TABLE upgrades (
    id                     TEXT PRIMARY KEY,
    app                    TEXT NOT NULL,
    plan                   TEXT NOT NULL,
    pg_version             TEXT,
    downtime_at            INTEGER,
    verify                 INTEGER NOT NULL DEFAULT 1,
    allow_restore_warnings INTEGER NOT NULL DEFAULT 0,
    remove_source_after    INTEGER,
    webhook_url            TEXT,
    state                  TEXT NOT NULL,
    version                INTEGER NOT NULL CHECK (version >= 1),
    attempt                INTEGER NOT NULL DEFAULT 0,
    step_started_at        INTEGER,
    paused                 INTEGER NOT NULL DEFAULT 0,
    needs_attention        INTEGER NOT NULL DEFAULT 0,
    last_error             TEXT NOT NULL DEFAULT '',
    source_addon_id        TEXT NOT NULL DEFAULT '',
    source_addon_name      TEXT NOT NULL DEFAULT '',
    target_addon_name      TEXT NOT NULL DEFAULT '',
    target_addon_id        TEXT NOT NULL DEFAULT '',
    original_maintenance   INTEGER,
    backup_uuid            TEXT NOT NULL DEFAULT '',
    backup_num             INTEGER,
    restore_uuid           TEXT NOT NULL DEFAULT '',
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    finished_at            INTEGER
) STRICT;

-- One active upgrade per app: two would fight over maintenance, formation and DATABASE.
CREATE UNIQUE INDEX upgrades_one_active_per_app ON upgrades (app)
    WHERE state NOT IN ('succeeded', 'failed', 'cancelled', 'rolled_back');
CREATE INDEX upgrades_by_state ON upgrades (state);
CREATE INDEX upgrades_by_created ON upgrades (created_at, id);

CREATE TABLE events (
    upgrade_id TEXT NOT NULL REFERENCES upgrades (id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    at         INTEGER NOT NULL,
    type       TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    detail     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (upgrade_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Quantities read before scaling down, restored exactly afterwards; written once.
CREATE TABLE upgrade_formation (
    upgrade_id TEXT NOT NULL REFERENCES upgrades (id),
    type       TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (upgrade_id, type)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER upgrade_formation_no_update BEFORE UPDATE ON upgrade_formation
BEGIN SELECT RAISE(ABORT, 'recorded formation is never overwritten'); END;
)sql",
    // 2: transfer progress shown to operators, and idempotency keys for the control API.
    R"sql(
ALTER TABLE upgrades ADD COLUMN processed_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE upgrades ADD COLUMN total_bytes INTEGER;
ALTER TABLE upgrades ADD COLUMN progress_message TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN progress_at INTEGER;
ALTER TABLE upgrades ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX upgrades_by_idempotency_key ON upgrades (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
)sql",
    // 3: whether a rollback keeps the target add-on it created.
    R"sql(
ALTER TABLE upgrades ADD COLUMN keep_target_on_rollback INTEGER NOT NULL DEFAULT 0;
)sql",
    // 4: what pgshift must keep to stay on Heroku's paths: the extensions asked for, the
    // source's plan, owning app and version, the pinned target version, and the newest
    // release seen before promoting (the promotion's release is the first one after it).
    R"sql(
ALTER TABLE upgrades ADD COLUMN extensions TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN source_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN source_app TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN source_version TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN target_version TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN release_before_promote INTEGER;
)sql",
    // 5: one history for every Heroku write: each event names the effect it requests or
    // completes and what Heroku called it; the upgrade counts its effects and remembers the
    // one still waiting for its outcome. Old rows read as "no effect" (0, '').
    R"sql(
ALTER TABLE events ADD COLUMN effect_id INTEGER NOT NULL DEFAULT 0 CHECK (effect_id >= 0);
ALTER TABLE events ADD COLUMN identity TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN effects INTEGER NOT NULL DEFAULT 0 CHECK (effects >= 0);
ALTER TABLE upgrades ADD COLUMN open_effect INTEGER NOT NULL DEFAULT 0 CHECK (open_effect >= 0);
)sql",
    // 6: downtime first: a request's own bound on apps in maintenance at once; when the
    // running transfer started on Heroku (its rate); the downtime pgshift caused and
    // Heroku's own transfer time within it; the restore's extensions, chosen before it; when
    // a capture and a restore were first asked for.
    R"sql(
ALTER TABLE upgrades ADD COLUMN max_downtime_concurrency INTEGER
    CHECK (max_downtime_concurrency IS NULL OR max_downtime_concurrency >= 1);
ALTER TABLE upgrades ADD COLUMN progress_started_at INTEGER;
ALTER TABLE upgrades ADD COLUMN downtime_began_at INTEGER;
ALTER TABLE upgrades ADD COLUMN downtime_ended_at INTEGER;
ALTER TABLE upgrades ADD COLUMN capture_ms INTEGER NOT NULL DEFAULT 0 CHECK (capture_ms >= 0);
ALTER TABLE upgrades ADD COLUMN restore_ms INTEGER NOT NULL DEFAULT 0 CHECK (restore_ms >= 0);
ALTER TABLE upgrades ADD COLUMN restore_extensions TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN restore_extensions_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE upgrades ADD COLUMN capture_requested_at INTEGER;
ALTER TABLE upgrades ADD COLUMN restore_requested_at INTEGER;
-- An upgrade an older pgshiftd left mid-transfer may have asked already: it looks first.
UPDATE upgrades SET capture_requested_at = COALESCE(step_started_at, updated_at)
    WHERE state = 'capturing';
UPDATE upgrades SET restore_requested_at = COALESCE(step_started_at, updated_at)
    WHERE state = 'restoring';
)sql",
    // 7: /metrics in O(1), not O(history): upgrades per state and finished stays per step,
    // kept by triggers in the transaction that changes them, first filled from the rows
    // there are. A stay runs from the history entry that entered a state to the upgrade's
    // next such entry (upgrade_stats.cpp's step_timings reads them the same way).
    R"sql(
CREATE TABLE state_counts (
    state    TEXT PRIMARY KEY,
    upgrades INTEGER NOT NULL CHECK (upgrades >= 0)
) STRICT, WITHOUT ROWID;
INSERT INTO state_counts (state, upgrades) SELECT state, COUNT(*) FROM upgrades GROUP BY state;
CREATE TRIGGER state_counts_insert AFTER INSERT ON upgrades
BEGIN
    INSERT OR IGNORE INTO state_counts (state, upgrades) VALUES (NEW.state, 0);
    UPDATE state_counts SET upgrades = upgrades + 1 WHERE state = NEW.state;
END;
CREATE TRIGGER state_counts_update AFTER UPDATE OF state ON upgrades
    WHEN OLD.state IS NOT NEW.state
BEGIN
    UPDATE state_counts SET upgrades = upgrades - 1 WHERE state = OLD.state;
    INSERT OR IGNORE INTO state_counts (state, upgrades) VALUES (NEW.state, 0);
    UPDATE state_counts SET upgrades = upgrades + 1 WHERE state = NEW.state;
END;
CREATE TRIGGER state_counts_delete AFTER DELETE ON upgrades
BEGIN
    UPDATE state_counts SET upgrades = upgrades - 1 WHERE state = OLD.state;
END;
CREATE TABLE step_duration_totals (
    step             TEXT PRIMARY KEY,
    milliseconds_sum INTEGER NOT NULL,
    stays            INTEGER NOT NULL CHECK (stays >= 0)
) STRICT, WITHOUT ROWID;
INSERT INTO step_duration_totals (step, milliseconds_sum, stays)
SELECT to_state, SUM(next_at - at), COUNT(*) FROM (
    SELECT to_state, at, LEAD(at) OVER (PARTITION BY upgrade_id ORDER BY seq) AS next_at
    FROM events WHERE to_state IS NOT NULL AND (from_state IS NULL OR from_state <> to_state))
WHERE next_at IS NOT NULL GROUP BY to_state;
CREATE TRIGGER step_duration_totals_insert AFTER INSERT ON events
    WHEN NEW.to_state IS NOT NULL AND (NEW.from_state IS NULL OR NEW.from_state <> NEW.to_state)
BEGIN
    INSERT OR IGNORE INTO step_duration_totals (step, milliseconds_sum, stays)
    SELECT to_state, 0, 0 FROM (SELECT to_state FROM events
        WHERE upgrade_id = NEW.upgrade_id AND seq < NEW.seq AND to_state IS NOT NULL
          AND (from_state IS NULL OR from_state <> to_state)
        ORDER BY seq DESC LIMIT 1);
    UPDATE step_duration_totals
    SET milliseconds_sum = milliseconds_sum + NEW.at - entered.at, stays = stays + 1
    FROM (SELECT to_state, at FROM events
        WHERE upgrade_id = NEW.upgrade_id AND seq < NEW.seq AND to_state IS NOT NULL
          AND (from_state IS NULL OR from_state <> to_state)
        ORDER BY seq DESC LIMIT 1) AS entered
    WHERE step = entered.to_state;
END;
)sql",
};

} // namespace

int latest_schema_version() noexcept {
    return static_cast<int>(migrations.size());
}

int schema_version(sqlite::database& db) {
    sqlite::statement st(db, "PRAGMA user_version");
    return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

void migrate(sqlite::database& db, int target) {
    int current = schema_version(db);
    if (current > latest_schema_version()) {
        throw schema_too_new(db.path().string() + " has schema version " + std::to_string(current) +
                             ", newer than this pgshift understands (" +
                             std::to_string(latest_schema_version()) +
                             "); refusing to open it. Run a newer pgshift.");
    }
    for (int next = current + 1; next <= target && next <= latest_schema_version(); ++next) {
        sqlite::transaction tx(db);
        db.exec(migrations[static_cast<std::size_t>(next - 1)]);
        db.exec("PRAGMA user_version = " + std::to_string(next));
        tx.commit();
    }
}

} // namespace pgshift::persistence
