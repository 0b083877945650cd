// Runs the current state's step: its plan (statemachine/plans.hpp) through the interpreter.
#pragma once

#include "daemon/step_context.hpp"
#include "statemachine/plan.hpp"

namespace pgshift::daemon {

// The step of ctx.u's state, from the one registry of states (statemachine/procedure.hpp).
net::awaitable<step_result> run_step(step_context& ctx);

// One plan, through the interpreter, on ctx.u (whatever its state): run_step's engine.
using plan_fn = plan::task<plan::step_outcome> (*)(plan::step_env&);
net::awaitable<step_result> run_plan(step_context& ctx, plan_fn plan);

} // namespace pgshift::daemon
