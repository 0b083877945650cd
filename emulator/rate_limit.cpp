// Heroku's API budget: a token bucket per caller token, refilled continuously.
#include "emulator/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace pgshift::emulator {

rate_limiter::rate_limiter(double capacity, double refill_per_minute)
    : capacity_(capacity)
    , per_minute_(refill_per_minute) {}

void rate_limiter::configure(double capacity, double refill_per_minute) {
    std::lock_guard lock{mu_};
    capacity_ = capacity;
    per_minute_ = refill_per_minute;
    buckets_.clear();
}

double rate_limiter::capacity() const {
    std::lock_guard lock{mu_};
    return capacity_;
}

double rate_limiter::refill_per_minute() const {
    std::lock_guard lock{mu_};
    return per_minute_;
}

rate_limiter::bucket& rate_limiter::refill(std::string_view token, time_point now) {
    auto it = buckets_.find(token);
    if (it == buckets_.end()) {
        it = buckets_.emplace(std::string(token), bucket{capacity_, now}).first;
    }
    auto& b = it->second;
    if (now > b.at) {
        const double minutes = std::chrono::duration<double, std::ratio<60>>(now - b.at).count();
        b.tokens = std::min(capacity_, b.tokens + minutes * per_minute_);
        b.at = now;
    }
    return b;
}

rate_limiter::verdict rate_limiter::take(std::string_view token, time_point now) {
    std::lock_guard lock{mu_};
    auto& b = refill(token, now);
    if (b.tokens < 1.0) {
        return {false, 0};
    }
    b.tokens -= 1.0;
    return {true, static_cast<long>(std::floor(b.tokens))};
}

long rate_limiter::remaining(std::string_view token, time_point now) {
    std::lock_guard lock{mu_};
    return static_cast<long>(std::floor(refill(token, now).tokens));
}

} // namespace pgshift::emulator
