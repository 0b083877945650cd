// Read-only figures derived from the upgrades table and the history: step timings, counts.
#include "persistence/upgrade_stats.hpp"

#include "persistence/upgrade_rows.hpp"

#include <map>
#include <sqlite3.h>
#include <string>

namespace pgshift::persistence {

std::vector<step_timing> step_timings(sqlite::database& db, std::string_view id) {
    sqlite::statement st(db, "SELECT to_state, at, next_at FROM (SELECT to_state, at, seq, "
                             "LEAD(at) OVER (ORDER BY seq) AS next_at FROM events WHERE "
                             "upgrade_id = ? AND to_state IS NOT NULL AND (from_state IS NULL "
                             "OR from_state <> to_state)) ORDER BY seq");
    st.bind(1, id);
    std::vector<step_timing> out;
    while (st.step()) {
        const auto s = parse_state(st.text(0));
        if (!s) {
            throw sqlite::error(SQLITE_CORRUPT,
                                "unknown state '" + st.text(0) + "' in the history");
        }
        if (is_terminal(*s)) {
            continue; // an end, not a step: it has no duration
        }
        step_timing t;
        t.step = *s;
        t.started_at = rows::from_ms(st.int64(1));
        if (!st.is_null(2)) {
            t.finished_at = rows::from_ms(st.int64(2));
        }
        out.push_back(t);
    }
    return out;
}

std::vector<std::pair<state, std::int64_t>> count_by_state(sqlite::database& db) {
    // Kept by triggers (migration 7): one row per state ever seen, not a scan of history.
    std::map<std::string, std::int64_t, std::less<>> counted;
    sqlite::statement st(db, "SELECT state, upgrades FROM state_counts");
    while (st.step()) {
        counted[st.text(0)] = st.int64(1);
    }
    std::vector<std::pair<state, std::int64_t>> out;
    for (state s : all_states) {
        const auto it = counted.find(to_string(s));
        out.emplace_back(s, it == counted.end() ? 0 : it->second);
    }
    return out;
}

std::vector<step_duration_total> step_duration_totals(sqlite::database& db) {
    std::map<std::string, step_duration_total, std::less<>> summed;
    // Kept by a trigger on the history (migration 7): a stay runs from the entry that moved
    // an upgrade into a state to its next such entry, as step_timings reads them.
    sqlite::statement st(db, "SELECT step, milliseconds_sum, stays FROM step_duration_totals");
    while (st.step()) {
        auto& total = summed[st.text(0)];
        total.milliseconds_sum = st.int64(1);
        total.count = st.int64(2);
    }
    std::vector<step_duration_total> out;
    for (state s : all_states) {
        if (is_terminal(s)) {
            continue;
        }
        step_duration_total total;
        if (const auto it = summed.find(to_string(s)); it != summed.end()) {
            total = it->second;
        }
        total.step = s;
        out.push_back(total);
    }
    return out;
}

} // namespace pgshift::persistence
