// The upgrade store: current-state rows with compare-and-set transitions and their history.
#include "persistence/upgrade_store.hpp"

#include "persistence/upgrade_rows.hpp"

#include <algorithm>
#include <sqlite3.h>

namespace pgshift::persistence {
namespace {

constexpr std::string_view active_states = "('succeeded','failed','cancelled','rolled_back')";

std::string select_upgrades(std::string_view where_and_order) {
    return "SELECT " + std::string(rows::upgrade_columns()) + " FROM upgrades " +
           std::string(where_and_order);
}

status validate_new(const upgrade& u) {
    if (u.id.empty()) {
        return error{errc::invalid, "upgrade id is empty"};
    }
    if (u.request.app.empty()) {
        return error{errc::invalid, "app is empty"};
    }
    if (u.request.plan.empty()) {
        return error{errc::invalid, "plan is empty"};
    }
    if (is_terminal(u.current)) {
        return error{errc::invalid, "a new upgrade cannot start in a terminal state"};
    }
    if (u.effects < 0 || u.open_effect < 0) {
        return error{errc::invalid, "effect ids are never negative"};
    }
    return ok_v;
}

void sort_by_type(std::vector<process_quantity>& formation) {
    std::sort(formation.begin(), formation.end(),
              [](const auto& a, const auto& b) { return a.type < b.type; });
}

bool is_constraint(const sqlite::error& e) {
    return (e.code() & 0xff) == SQLITE_CONSTRAINT;
}

// Writes every mutable column of `u` as version `to`, if the row is at version `from`.
bool write_mutable(sqlite::database& db, const upgrade& u, std::int64_t from, std::int64_t to) {
    sqlite::statement st(db, rows::update_sql());
    rows::bind_update(st, u, from, to);
    st.run();
    return db.changes() == 1;
}

// Writes the whole new row, request and first state, in one statement.
void insert_upgrade(sqlite::database& db, const upgrade& u) {
    sqlite::statement st(db, rows::insert_sql());
    rows::bind_insert(st, u);
    st.run();
}

} // namespace

result<upgrade> upgrade_store::create(upgrade u, time_point now) {
    if (auto valid = validate_new(u); !valid) {
        return valid.err();
    }
    sort_by_type(u.formation);
    u.version = 1;
    u.created_at = now;
    u.updated_at = now;
    sqlite::transaction tx(db_);
    {
        sqlite::statement active(db_, "SELECT id, state FROM upgrades WHERE app = ? AND state "
                                      "NOT IN " +
                                          std::string(active_states));
        active.bind(1, u.request.app);
        if (active.step()) {
            return error{errc::conflict, "app " + u.request.app +
                                             " already has an active upgrade " + active.text(0) +
                                             " (" + active.text(1) + ")"};
        }
    }
    if (u.idempotency_key) {
        if (auto other = find_by_idempotency_key(*u.idempotency_key)) {
            return error{errc::conflict, "idempotency key already used by upgrade " + other->id};
        }
    }
    try {
        insert_upgrade(db_, u);
    } catch (const sqlite::error& e) {
        if (is_constraint(e)) {
            return error{errc::conflict, std::string("upgrade not created: ") + e.what()};
        }
        throw;
    }
    insert_formation(u);
    append_event({u.id, 1, now, event_type::created, std::nullopt, u.current, "", 0, ""});
    tx.commit();
    touch(u.id);
    return u;
}

result<upgrade> upgrade_store::get(std::string_view id) {
    sqlite::statement st(db_, select_upgrades("WHERE id = ?"));
    st.bind(1, id);
    if (!st.step()) {
        return error{errc::not_found, "no upgrade " + std::string(id)};
    }
    upgrade u = rows::read_upgrade(st);
    u.formation = formation_of(u.id);
    return u;
}

std::optional<upgrade> upgrade_store::find_by_idempotency_key(std::string_view key) {
    sqlite::statement st(db_, select_upgrades("WHERE idempotency_key = ?"));
    st.bind(1, key);
    if (!st.step()) {
        return std::nullopt;
    }
    upgrade u = rows::read_upgrade(st);
    u.formation = formation_of(u.id);
    return u;
}

upgrade_page upgrade_store::list(const list_filter& filter) {
    std::size_t limit = std::clamp<std::size_t>(filter.limit, 1, 500);
    // Keyset pagination on (created_at, id): stable while new upgrades arrive.
    sqlite::statement st(
        db_, select_upgrades("WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR app = ?2) AND "
                             "(?3 IS NULL OR (created_at, id) < (SELECT created_at, id FROM "
                             "upgrades WHERE id = ?3)) ORDER BY created_at DESC, id DESC "
                             "LIMIT ?4"));
    st.bind(1, filter.in_state ? std::optional(std::string(to_string(*filter.in_state)))
                               : std::nullopt);
    st.bind(2, filter.app).bind(3, filter.after);
    st.bind(4, static_cast<std::int64_t>(limit + 1));
    upgrade_page page;
    while (st.step()) {
        page.items.push_back(rows::read_upgrade(st));
    }
    if (page.items.size() > limit) {
        page.items.pop_back();
        page.next = page.items.back().id;
    }
    for (upgrade& u : page.items) {
        u.formation = formation_of(u.id);
    }
    return page;
}

std::vector<upgrade> upgrade_store::load_active() {
    sqlite::statement st(db_, select_upgrades("WHERE state NOT IN " + std::string(active_states) +
                                              " ORDER BY created_at, id"));
    std::vector<upgrade> out;
    while (st.step()) {
        out.push_back(rows::read_upgrade(st));
    }
    for (upgrade& u : out) {
        u.formation = formation_of(u.id);
    }
    return out;
}

result<upgrade> upgrade_store::transition(upgrade next, history_entry entry, time_point now) {
    std::string id = next.id;
    try {
        auto r = apply_transition(std::move(next), std::move(entry), now);
        if (r) {
            // The store commits again: every upgrade's failure is over, not only this one's
            // (an operator command that failed for an idle upgrade has no worker to retry it).
            for (const auto& [failed, why] : failures_) {
                touch(failed);
            }
            failures_.clear();
            last_failure_.reset();
            touch(id);
        }
        return r;
    } catch (const sqlite::error& e) {
        last_failure_ = e.what();
        touch(id);
        failures_.insert_or_assign(std::move(id), e.what());
        throw;
    }
}

std::uint64_t upgrade_store::revision(std::string_view id) const {
    const auto it = revisions_.find(id);
    return it == revisions_.end() ? 0 : it->second;
}

void upgrade_store::touch(const std::string& id) {
    revisions_.insert_or_assign(id, ++changes_);
}

std::optional<std::string> upgrade_store::write_failure(std::string_view id) const {
    if (auto it = failures_.find(id); it != failures_.end()) {
        return it->second;
    }
    return std::nullopt;
}

result<upgrade> upgrade_store::apply_transition(upgrade next, history_entry entry, time_point now) {
    // Effect ids count up from 1; a negative one is a caller's bug, refused before any write.
    if (entry.effect_id < 0 || next.effects < 0 || next.open_effect < 0) {
        return error{errc::invalid, "upgrade " + next.id + ": effect ids are never negative"};
    }
    sort_by_type(next.formation);
    sqlite::transaction tx(db_);
    std::int64_t stored_version = 0;
    std::optional<state> from;
    {
        // Scoped: a statement still on its row at COMMIT keeps a read snapshot open, and
        // then no checkpoint can ever reach the end of the WAL, which grows without bound.
        sqlite::statement cur(db_, "SELECT version, state FROM upgrades WHERE id = ?");
        cur.bind(1, next.id);
        if (!cur.step()) {
            return error{errc::not_found, "no upgrade " + next.id};
        }
        stored_version = cur.int64(0);
        from = parse_state(cur.text(1));
    }
    if (stored_version != next.version) {
        return error{errc::stale_version,
                     "upgrade " + next.id + " is at version " + std::to_string(stored_version) +
                         ", the change was made from version " + std::to_string(next.version)};
    }
    if (from && is_terminal(*from)) {
        return error{errc::invalid,
                     "upgrade " + next.id + " is " + std::string(to_string(*from)) + " already"};
    }
    std::vector<process_quantity> recorded = formation_of(next.id);
    if (!recorded.empty() && recorded != next.formation) {
        return error{errc::invalid, "upgrade " + next.id +
                                        " already recorded its formation; "
                                        "it is never overwritten"};
    }
    next.updated_at = now;
    try {
        write_mutable(db_, next, next.version, next.version + 1);
    } catch (const sqlite::error& e) {
        if (is_constraint(e)) {
            return error{errc::conflict, std::string("transition refused: ") + e.what()};
        }
        throw;
    }
    if (recorded.empty()) {
        insert_formation(next);
    }
    append_event({next.id, last_seq(next.id) + 1, now, entry.type, from, next.current,
                  std::move(entry.detail), entry.effect_id, std::move(entry.identity)});
    tx.commit();
    ++next.version;
    return next;
}

std::vector<event_record> upgrade_store::events(std::string_view id, std::int64_t after_seq,
                                                std::size_t limit) {
    sqlite::statement st(db_, "SELECT seq, at, type, from_state, to_state, detail, effect_id, "
                              "identity FROM events WHERE upgrade_id = ? AND seq > ? "
                              "ORDER BY seq LIMIT ?");
    st.bind(1, id).bind(2, after_seq).bind(3, static_cast<std::int64_t>(limit));
    std::vector<event_record> out;
    while (st.step()) {
        event_record e;
        e.upgrade_id = std::string(id);
        e.seq = st.int64(0);
        e.at = rows::from_ms(st.int64(1));
        auto type = parse_event_type(st.text(2));
        if (!type) {
            throw sqlite::error(SQLITE_CORRUPT, "unknown event type '" + st.text(2) + "'");
        }
        e.type = *type;
        e.from = st.is_null(3) ? std::nullopt : parse_state(st.text(3));
        e.to = st.is_null(4) ? std::nullopt : parse_state(st.text(4));
        e.detail = st.text(5);
        e.effect_id = st.int64(6);
        e.identity = st.text(7);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<process_quantity> upgrade_store::formation_of(std::string_view id) {
    sqlite::statement st(db_, "SELECT type, quantity FROM upgrade_formation WHERE upgrade_id = ? "
                              "ORDER BY type");
    st.bind(1, id);
    std::vector<process_quantity> out;
    while (st.step()) {
        out.push_back({st.text(0), static_cast<int>(st.int64(1))});
    }
    return out;
}

void upgrade_store::insert_formation(const upgrade& u) {
    for (const process_quantity& p : u.formation) {
        sqlite::statement st(db_, "INSERT INTO upgrade_formation (upgrade_id, type, quantity) "
                                  "VALUES (?, ?, ?)");
        st.bind(1, u.id).bind(2, p.type).bind(3, std::int64_t{p.quantity}).run();
    }
}

void upgrade_store::append_event(const event_record& e) {
    sqlite::statement st(db_, "INSERT INTO events (upgrade_id, seq, at, type, from_state, "
                              "to_state, detail, effect_id, identity) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, e.upgrade_id).bind(2, e.seq).bind(3, rows::to_ms(e.at));
    st.bind(4, to_string(e.type));
    st.bind(5, e.from ? std::optional(std::string(to_string(*e.from))) : std::nullopt);
    st.bind(6, e.to ? std::optional(std::string(to_string(*e.to))) : std::nullopt);
    st.bind(7, e.detail).bind(8, e.effect_id).bind(9, e.identity).run();
}

std::int64_t upgrade_store::last_seq(std::string_view id) {
    sqlite::statement st(db_, "SELECT COALESCE(MAX(seq), 0) FROM events WHERE upgrade_id = ?");
    st.bind(1, id);
    st.step();
    return st.int64(0);
}

} // namespace pgshift::persistence
