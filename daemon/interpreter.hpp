// The one interpreter of step plans: the only code that commits and talks to Heroku on a
// step's behalf. It commits before and after every Heroku write, so no plan can forget to.
#pragma once

#include "daemon/step_context.hpp"
#include "statemachine/plan.hpp"

namespace pgshift::daemon {

// Runs `plan` to its end: commits, requests and waits as it asks. superseded when an
// operator command moved the upgrade to another state meanwhile (the plan is dropped).
// Throws sqlite::error when a commit fails: nothing more has happened on Heroku then.
net::awaitable<step_result> interpret(step_context& ctx, plan::step_env& env,
                                      plan::task<plan::step_outcome> plan);

} // namespace pgshift::daemon
