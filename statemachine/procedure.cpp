// The one registry of states: the procedure table.
#include "statemachine/procedure.hpp"

#include "statemachine/plans.hpp"

#include <algorithm>
#include <array>

namespace pgshift {
namespace {

bool always(const upgrade_request&) {
    return true;
}
bool has_window(const upgrade_request& r) {
    return r.downtime_at.has_value();
}
bool verifies(const upgrade_request& r) {
    return r.verify;
}
bool removes_source(const upgrade_request& r) {
    return r.remove_source_after.has_value();
}

using enum phase;
namespace p = plan;

constexpr std::array rows{
    procedure_row{state::pending, before_promote, always, p::plan_pending},
    procedure_row{state::provisioning, before_promote, always, p::plan_provisioning},
    procedure_row{state::awaiting_window, before_promote, has_window, p::plan_awaiting_window},
    procedure_row{state::entering_maintenance, before_promote, always,
                  p::plan_entering_maintenance},
    procedure_row{state::scaling_down, before_promote, always, p::plan_scaling_down},
    procedure_row{state::capturing, before_promote, always, p::plan_capturing},
    procedure_row{state::restoring, before_promote, always, p::plan_restoring},
    procedure_row{state::verifying, before_promote, verifies, p::plan_verifying},
    procedure_row{state::promoting, after_promote, always, p::plan_promoting},
    procedure_row{state::scaling_up, after_promote, always, p::plan_scaling_up},
    procedure_row{state::leaving_maintenance, after_promote, always, p::plan_leaving_maintenance},
    procedure_row{state::confirming, after_promote, always, p::plan_confirming},
    procedure_row{state::removing_source, after_promote, removes_source, p::plan_removing_source},
    procedure_row{state::succeeded, finished, always, nullptr},
    procedure_row{state::rolling_back, rollback, always, p::plan_rolling_back},
    procedure_row{state::failed, finished, always, nullptr},
    procedure_row{state::cancelled, finished, always, nullptr},
    procedure_row{state::rolled_back, finished, always, nullptr},
};
static_assert(rows.size() == all_states.size(), "every state has exactly one row");

} // namespace

std::span<const procedure_row> procedure() {
    return rows;
}

const procedure_row& row_of(state s) noexcept {
    // Every state has a row (static_assert above, and a test that finds each).
    return *std::find_if(rows.begin(), rows.end(),
                         [s](const procedure_row& r) { return r.at == s; });
}

} // namespace pgshift
