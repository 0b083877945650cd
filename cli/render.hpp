// Pure rendering of upgrades and events as the human-readable text the CLI prints.
#pragma once

#include "cli/format.hpp"
#include "cli/upgrade_view.hpp"

#include <string>
#include <vector>

namespace pgshift::cli {

// Left-aligned columns two spaces apart, no trailing spaces; rows[0] is the header.
std::string render_table(const std::vector<std::vector<std::string>>& rows);

// `list`: ID, APP, PLAN, STATE (with why the scheduler holds it back), PROGRESS (an
// estimate marked "~"), DOWNTIME ("down 3:41" while in maintenance, "0:23.4" after),
// UPDATED; "no upgrades\n" when empty.
std::string render_list(const std::vector<upgrade_view>& upgrades, clock_time now);

// `status`: one "label  value" line per fact, then the per-step timings.
std::string render_status(const upgrade_view& u, clock_time now);

// One event, no newline: "TIME  TYPE  from→to  detail" (empty parts left out); byte counts
// in the detail ("58012957 bytes") read in human units ("55.3 MiB").
std::string render_event(const event_view& e);

// "58012957 bytes" anywhere in text as format_bytes shows it: "55.3 MiB".
std::string humanize_bytes(const std::string& text);

// What a finished upgrade leaves billed, one line (no newline), from the upgrade and its
// history: the old add-on with its attachment and how to remove it, or that pgshift removed
// it, or that it belongs to another app; after a rollback that kept the new add-on, that one.
// "" when nothing is left (or the upgrade is not finished).
std::string describe_leftovers(const upgrade_view& u, const std::vector<event_view>& history);

// "70.0 MiB / 100.0 MiB  70.0%  ETA 42s"; the API's estimate for now when it made one:
// "~73.2 MiB / 100.0 MiB  ~73.2%  ETA ~38s (estimated)"; "" when there is no progress.
std::string describe_progress(const std::optional<progress_view>& p);

// "in maintenance since 02:00:13Z (3:41 so far)" while down; once ended "downtime 0:23.4
// (Heroku's capture + restore 0:21.0, pgshift's overhead 0:02.4)", or with the times when
// Heroku's are not known; "" before maintenance. now counts when the API gave no seconds.
std::string describe_downtime(const std::optional<downtime_view>& d, clock_time now);

// "waiting: budget (3rd in line): needs 41 calls, 12 free"; "" when not waiting.
std::string describe_waiting(const std::optional<waiting_view>& w);

// What changes while an upgrade runs, for `watch` off a terminal: waiting, downtime so far
// and progress, two spaces apart; "" when none applies.
std::string describe_live(const upgrade_view& u, clock_time now);

// The in-place progress line of `watch` on a terminal, at most width - 1 characters:
// "restoring  down 3:41  [####------]  70.0%  70.0 MiB / 100.0 MiB  ETA 42s", or the step,
// attempt, time in step and why it waits when no transfer runs.
std::string render_progress_line(const upgrade_view& u, clock_time now, int width);

// The timestamped progress line of `watch` when stdout is not a terminal, no newline.
std::string render_progress_plain(const upgrade_view& u, clock_time now);

// `start`: the id on its own line, then a one-line summary.
std::string render_started(const upgrade_view& u, bool created);

// pause/resume/cancel/retry: one line saying what was asked and where the upgrade is; a
// pause while the app is in maintenance adds that it stays in maintenance until resume or
// cancel.
std::string render_command(const std::string& command, const upgrade_view& u, clock_time now = {});

// The end of `watch`: how the upgrade ended, with its last error when it failed, and the
// downtime line of describe_downtime once the app was down.
std::string render_outcome(const upgrade_view& u);

} // namespace pgshift::cli
