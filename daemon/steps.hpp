// The step of each state, and what the steps share. Internal to daemon/.
#pragma once

#include "daemon/step_context.hpp"
#include "heroku/api_error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pgshift::daemon {

net::awaitable<step_result> step_pending(step_context& ctx);
net::awaitable<step_result> step_provisioning(step_context& ctx);
net::awaitable<step_result> step_awaiting_window(step_context& ctx);
net::awaitable<step_result> step_entering_maintenance(step_context& ctx);
net::awaitable<step_result> step_scaling_down(step_context& ctx);
net::awaitable<step_result> step_capturing(step_context& ctx);
net::awaitable<step_result> step_restoring(step_context& ctx);
net::awaitable<step_result> step_verifying(step_context& ctx);
net::awaitable<step_result> step_promoting(step_context& ctx);
net::awaitable<step_result> step_scaling_up(step_context& ctx);
net::awaitable<step_result> step_leaving_maintenance(step_context& ctx);
net::awaitable<step_result> step_confirming(step_context& ctx);
net::awaitable<step_result> step_removing_source(step_context& ctx);
net::awaitable<step_result> step_rolling_back(step_context& ctx);

// Inside step_promoting (steps_release.cpp): commits the newest release version before the
// promote POST (intent), then watches the promotion's release phase, if the app has one.
net::awaitable<step_result> record_release_before(step_context& ctx);
net::awaitable<step_result> watch_release_phase(step_context& ctx);

// "create add-on: 503 unavailable: … (request …)", retryable as Heroku's answer says.
step_error heroku_failure(std::string_view what, const heroku::api_error& e);

// The add-on name pgshift gives the target, derived from the upgrade id alone, so a resumed
// worker finds the add-on it may have created before a crash.
std::string target_addon_name(std::string_view upgrade_id);

// Counts errors of one polling loop: transient ones are waited out up to a budget that
// resets whenever a poll succeeds; past it, or on a permanent error, the step fails.
class poll_budget {
public:
    explicit poll_budget(int limit = 10)
        : limit_(limit) {}
    bool absorb(const heroku::api_error& e) {
        return heroku::is_retryable(e) && ++errors_ <= limit_;
    }
    void succeeded() { errors_ = 0; }

private:
    int limit_;
    int errors_ = 0;
};

} // namespace pgshift::daemon
