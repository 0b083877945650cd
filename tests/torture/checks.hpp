// The invariants a finished torture trial must hold; each broken one is a line of text.
#pragma once

#include "statemachine/upgrade.hpp"
#include "tests/torture/plan.hpp"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pgshift::torture {

using violations = std::vector<std::string>;

// The app as the trial found it, before the upgrade.
struct app_snapshot {
    std::string database_url;
    std::vector<std::string> content; // content_manifest: one line per table and sequence
    std::map<std::string, int> formation;
    bool maintenance = false;
    int attachments_made = 0; // the seed's attachment_created ledger entries
};

// succeeded, or rolled_back exactly when a transfer was made to fail; never needs attention.
void check_outcome(const trial_plan& p, const upgrade& u, violations& out);

// Each side effect once: add-on created, backup, restore, promotion; maintenance on then off;
// the formation down then up (an absolute PATCH re-sent after a kill is the same effect, so
// identical consecutive scales count once); on rollback the target destroyed once.
void check_ledger(const trial_plan& p, const std::vector<nlohmann::json>& ledger,
                  const app_snapshot& before, violations& out);

// Table by table and sequence by sequence, `now` (DATABASE_URL's database at the end) holds
// what the source held before.
void check_content(const app_snapshot& before, const std::vector<std::string>& now,
                   violations& out);

// The history is seq 1..n without gaps and ends in the upgrade's final state.
void check_history(const upgrade& u, const std::vector<event_record>& events, violations& out);

// Every rule of the trial fired at least once (GET /_emulator/faults).
void check_faults_fired(const nlohmann::json& rules, violations& out);

// No pgshiftd left: none of this process's children, none using the trial's state directory,
// no child exited and left unreaped.
void check_no_process_left(const std::filesystem::path& state_dir, violations& out);

} // namespace pgshift::torture
