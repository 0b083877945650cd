// Runs the current state's step: its plan through the interpreter.
#include "daemon/run_step.hpp"

#include "daemon/interpreter.hpp"
#include "statemachine/procedure.hpp"

namespace pgshift::daemon {

net::awaitable<step_result> run_step(step_context& ctx) {
    const procedure_row& row = row_of(ctx.u.current);
    if (row.plan == nullptr) {
        co_return step_error{"no step for a terminal state", false};
    }
    co_return co_await run_plan(ctx, row.plan);
}

net::awaitable<step_result> run_plan(step_context& ctx, plan_fn plan) {
    plan::step_env env{ctx.u, ctx.now(), ctx.opts};
    co_return co_await interpret(ctx, env, plan(env));
}

} // namespace pgshift::daemon
