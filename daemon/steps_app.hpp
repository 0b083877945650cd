// Maintenance and formation changes, shared by the forward steps and the rollback.
#pragma once

#include "daemon/step_context.hpp"

namespace pgshift::daemon {

// PATCH maintenance and check Heroku's answer says so.
net::awaitable<step_result> set_maintenance(step_context& ctx, bool on);
// Scale every recorded process type to 0 (zero) or back to its recorded quantity.
net::awaitable<step_result> scale_to(step_context& ctx, bool zero);

} // namespace pgshift::daemon
