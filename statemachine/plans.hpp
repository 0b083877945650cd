// The plan of each step (DESIGN.md §1). Each reconciles with Heroku first, so running it
// again after a crash, a retry or a resume never repeats a side effect.
#pragma once

#include "statemachine/plan.hpp"

namespace pgshift::plan {

task<step_outcome> plan_pending(step_env& env);
task<step_outcome> plan_provisioning(step_env& env);
task<step_outcome> plan_awaiting_window(step_env& env);
task<step_outcome> plan_entering_maintenance(step_env& env);
task<step_outcome> plan_scaling_down(step_env& env);
task<step_outcome> plan_capturing(step_env& env);
task<step_outcome> plan_restoring(step_env& env);
task<step_outcome> plan_verifying(step_env& env);
task<step_outcome> plan_promoting(step_env& env);
task<step_outcome> plan_scaling_up(step_env& env);
task<step_outcome> plan_leaving_maintenance(step_env& env);
task<step_outcome> plan_confirming(step_env& env);
task<step_outcome> plan_removing_source(step_env& env);
task<step_outcome> plan_rolling_back(step_env& env);

// Inside promoting (plan_release.cpp): watches the promotion's release phase, if any.
task<step_outcome> watch_release_phase(step_env& env);

// On the app (plan_app.cpp), also used by the rollback.
task<step_outcome> set_maintenance(step_env& env, bool on);
// Maintenance back to `maintenance` (what it was before): the downtime's end is recorded.
task<step_outcome> end_downtime(step_env& env, bool maintenance);
task<step_outcome> scale_to(step_env& env, bool zero);
// Destroys an add-on and waits until it is gone (plan_retire.cpp). only_owned: an add-on
// billed to another app is left alone, and the history says so.
task<step_outcome> destroy_addon(step_env& env, std::string name_or_id, bool only_owned);

// Waits until `until` (or less, waking for operator commands): the window, a delay.
task<step_outcome> wait_until(step_env& env, time_point until);

} // namespace pgshift::plan
