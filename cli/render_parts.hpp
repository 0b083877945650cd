// What the renderers share: the progress figures to show, the downtime so far, the state with
// its flags and why the scheduler holds an upgrade back.
#pragma once

#include "cli/format.hpp"
#include "cli/upgrade_view.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace pgshift::cli::detail {

// "70.0%"
std::string percent_text(double percent);

// The figures to show: the API's estimate for now when it made one (marked "~"), else the
// last report.
struct shown_progress {
    std::int64_t bytes = 0;
    std::optional<double> percent;
    std::optional<std::int64_t> eta_seconds;
    std::string mark; // "~" for an estimate
};

shown_progress shown(const progress_view& p);

// The shown fraction done, from the percent or the bytes; nullopt when the total is unknown.
std::optional<double> fraction_of(const progress_view& p);

// "budget (3rd in line): needs 41 calls, 12 free"
std::string waiting_text(const waiting_view& w);

// The downtime: the API's figure (as of its answer), else counted from the times (to now
// while down; nullopt then when now is clock_time{}).
std::optional<double> downtime_seconds(const downtime_view& d, clock_time now);

// "0:23.4 (Heroku's capture + restore 0:21.0, pgshift's overhead 0:02.4)", or while down
// "in maintenance since 02:00:13Z (3:41 so far)".
std::string downtime_text(const downtime_view& d, clock_time now);

// "restoring (paused) (needs attention)"
std::string state_with_flags(const upgrade_view& u);

} // namespace pgshift::cli::detail
