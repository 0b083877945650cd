// The upgrade store: current-state rows with compare-and-set transitions and their history.
#pragma once

#include "persistence/sqlite.hpp"
#include "statemachine/result.hpp"
#include "statemachine/upgrade.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::persistence {

struct list_filter {
    std::optional<state> in_state{};
    std::optional<std::string> app{};
    std::size_t limit = 50;             // clamped to 1..500
    std::optional<std::string> after{}; // cursor: the id of the previous page's last item
};

struct upgrade_page {
    std::vector<upgrade> items; // newest first
    std::optional<std::string> next;
};

// What a transition appends to the history; from/to states are filled in by the store.
// Constructible as {type, detail}: an entry about no Heroku write leaves the rest unset.
struct history_entry {
    event_type type;
    std::string detail;
    std::int64_t effect_id = 0; // as event_record::effect_id
    std::string identity{};     // as event_record::identity
};

// Every method runs on the caller's thread against one connection. Expected outcomes come
// back as result errors; infrastructure failures (I/O, disk full) throw sqlite::error and
// leave the database as it was before the call.
class upgrade_store {
public:
    explicit upgrade_store(sqlite::database& db)
        : db_(db) {}

    // Inserts `u` at version 1 with a `created` event. conflict: the app already has an
    // active upgrade, or the idempotency key is taken (the message names the other upgrade).
    result<upgrade> create(upgrade u, time_point now);

    result<upgrade> get(std::string_view id);
    std::optional<upgrade> find_by_idempotency_key(std::string_view key);
    upgrade_page list(const list_filter& filter);
    std::vector<upgrade> load_active(); // every non-terminal upgrade, oldest first

    // Compare-and-set: writes `next` only if the stored version still equals next.version,
    // bumps the version and appends `entry` (with from/to states and the next seq) in the
    // same transaction. stale_version when someone moved first; not_found; invalid when the
    // upgrade is terminal or `next` would overwrite the recorded formation.
    result<upgrade> transition(upgrade next, history_entry entry, time_point now);

    // History in seq order, starting after `after_seq`.
    std::vector<event_record> events(std::string_view id, std::int64_t after_seq = 0,
                                     std::size_t limit = 1000);

    // Why the last transition could not commit (disk full, I/O error): for the store, and
    // for one upgrade. Cleared, both, by the next transition that commits, of any upgrade.
    // Kept in memory: the database is exactly what could not take it.
    const std::optional<std::string>& write_failure() const noexcept { return last_failure_; }
    std::optional<std::string> write_failure(std::string_view id) const;

    // Changes whenever what get(id) reads or write_failure(id) tells may have changed: a
    // commit that touched the upgrade (create, transition), or a write failure laid over it
    // or cleared. 0 for an upgrade untouched since this store was opened. In memory: for
    // readers in this process that keep what they derived from an upgrade (the control
    // API's rendered answers) and must know when it is stale.
    std::uint64_t revision(std::string_view id) const;

private:
    result<upgrade> apply_transition(upgrade next, history_entry entry, time_point now);
    std::vector<process_quantity> formation_of(std::string_view id);
    void insert_formation(const upgrade& u);
    void append_event(const event_record& e);
    std::int64_t last_seq(std::string_view id);

    void touch(const std::string& id);

    sqlite::database& db_;
    std::uint64_t changes_ = 0;                                   // touches so far
    std::map<std::string, std::uint64_t, std::less<>> revisions_; // upgrade id -> last touch
    std::optional<std::string> last_failure_;
    std::map<std::string, std::string, std::less<>> failures_; // upgrade id -> error
};

} // namespace pgshift::persistence
