// The client's share of the token's rate budget: tokens taken per call, urgent calls first,
// tokens set aside for upgrades whose app is down.
#include "heroku/client_impl.hpp"

#include <algorithm>

namespace pgshift::heroku {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A ticket (0 when the request does not count against the budget); nullopt: cancelled.
// An urgent call (share set) may take any token and goes first; an ordinary one leaves the
// tokens set aside for shares, and waits while an urgent call waits.
net::awaitable<std::optional<rate_budget::ticket>>
client::impl::async_take_token(bool counted, budget_share* share) {
    if (share != nullptr) {
        ++share->used;
    }
    if (!counted) {
        co_return rate_budget::ticket{0};
    }
    bool waiting = false;
    for (;;) {
        const bool behind = share == nullptr && urgent_waiting > 0;
        rate_budget::grant grant{milliseconds(50), 0}; // behind an urgent call: look again soon
        if (!behind) {
            grant = budget.try_acquire(clock_type::now(), share != nullptr ? 0.0 : reserved);
        }
        if (grant.wait.count() == 0) {
            if (waiting) {
                --urgent_waiting;
            }
            if (share != nullptr && share->left > 0) {
                const double take = std::min(1.0, share->left);
                share->left -= take;
                reserved = std::max(0.0, reserved - take);
            }
            co_return grant.number;
        }
        if (share != nullptr && !waiting) {
            waiting = true;
            ++urgent_waiting;
        }
        // At most a second: what is set aside, and who waits, changes meanwhile.
        const milliseconds pause = std::min(grant.wait, milliseconds(1000));
        if (!co_await async_sleep(pause)) {
            if (waiting) {
                --urgent_waiting;
            }
            co_return std::nullopt;
        }
    }
}

void client::reserve(budget_share& share, double n) {
    share.left += std::max(0.0, n);
    impl_->reserved += std::max(0.0, n);
}

void client::release(budget_share& share) {
    impl_->reserved = std::max(0.0, impl_->reserved - share.left);
    share.left = 0;
}

double client::reserved() const {
    return impl_->reserved;
}

const rate_budget& client::budget() const {
    return impl_->budget;
}

double client::budget_available() {
    return impl_->budget.available(clock_type::now());
}

} // namespace pgshift::heroku
