// Pure rendering of upgrades and events as the human-readable text the CLI prints.
#pragma once

#include "cli/format.hpp"
#include "cli/upgrade_view.hpp"

#include <string>
#include <vector>

namespace pgshift::cli {

// Left-aligned columns two spaces apart, no trailing spaces; rows[0] is the header.
std::string render_table(const std::vector<std::vector<std::string>>& rows);

// `list`: ID (short), APP, PLAN, STATE, PROGRESS, UPDATED; "no upgrades\n" when empty.
std::string render_list(const std::vector<upgrade_view>& upgrades, clock_time now);

// `status`: one "label  value" line per fact, then the per-step timings.
std::string render_status(const upgrade_view& u, clock_time now);

// One event, no newline: "TIME  TYPE  from→to  detail" (empty parts left out).
std::string render_event(const event_view& e);

// "70.0 MiB / 100.0 MiB  70.0%  ETA 42s"; "" when there is no progress.
std::string describe_progress(const std::optional<progress_view>& p);

// The in-place progress line of `watch` on a terminal, at most width - 1 characters:
// "restoring  [####------]  70.0%  70.0 MiB / 100.0 MiB  ETA 42s", or the step, attempt and
// time in step when no transfer runs.
std::string render_progress_line(const upgrade_view& u, clock_time now, int width);

// The timestamped progress line of `watch` when stdout is not a terminal, no newline.
std::string render_progress_plain(const upgrade_view& u, clock_time now);

// `start`: the id on its own line, then a one-line summary.
std::string render_started(const upgrade_view& u, bool created);

// pause/resume/cancel/retry: one line saying what was asked and where the upgrade is.
std::string render_command(const std::string& command, const upgrade_view& u);

// The last line of `watch`: how the upgrade ended, with its last error when it failed.
std::string render_outcome(const upgrade_view& u);

} // namespace pgshift::cli
