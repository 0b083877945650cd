// Retry policy for Heroku requests: idempotency, back-off, per-call budget.
#include "heroku/retry.hpp"

#include <algorithm>
#include <cmath>

namespace pgshift::heroku {

std::chrono::milliseconds backoff_delay(const retry_options& opts, int attempt, double jitter01) {
    const int doublings = std::clamp(attempt - 1, 0, 30);
    const double full =
        std::min(static_cast<double>(opts.max_delay.count()),
                 static_cast<double>(opts.base_delay.count()) * std::pow(2.0, doublings));
    const double j = std::clamp(jitter01, 0.0, 1.0);
    return std::chrono::milliseconds{static_cast<long long>(full / 2 + j * full / 2)};
}

retry_verdict decide_retry(const retry_options& opts, const retry_input& in) {
    const bool effect_unknown =
        in.failure == failure_kind::no_answer || in.failure == failure_kind::server_error;
    if (in.failure == failure_kind::final) {
        return {};
    }
    if (effect_unknown && !in.idempotent) {
        return {retry_action::outcome_unknown, {}};
    }
    auto delay = backoff_delay(opts, in.attempt, in.jitter01);
    if (in.failure == failure_kind::throttled) {
        delay = std::max(delay, in.throttle_hold);
    }
    if (in.attempt >= opts.max_attempts || in.elapsed + delay > opts.max_total) {
        return {};
    }
    return {retry_action::retry, delay};
}

} // namespace pgshift::heroku
