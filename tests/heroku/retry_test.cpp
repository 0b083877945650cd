// The retry policy: which failures are retried for which methods, back-off bounds, budget.
#include "heroku/retry.hpp"

#include <gtest/gtest.h>

namespace pgshift::heroku {
namespace {

using namespace std::chrono_literals;

retry_input failed(failure_kind kind, bool idempotent, int attempt = 1) {
    retry_input in;
    in.failure = kind;
    in.idempotent = idempotent;
    in.attempt = attempt;
    return in;
}

TEST(retry, get_retried_on_network_5xx_429) {
    const retry_options o;
    for (auto kind : {failure_kind::not_sent, failure_kind::no_answer, failure_kind::server_error,
                      failure_kind::throttled}) {
        EXPECT_EQ(decide_retry(o, failed(kind, true)).action, retry_action::retry);
    }
}

TEST(retry, final_errors_never_retried) {
    const retry_options o;
    EXPECT_EQ(decide_retry(o, failed(failure_kind::final, true)).action, retry_action::give_up);
    EXPECT_EQ(decide_retry(o, failed(failure_kind::final, false)).action, retry_action::give_up);
}

TEST(retry, post_not_resent_once_it_may_have_arrived) {
    const retry_options o;
    EXPECT_EQ(decide_retry(o, failed(failure_kind::no_answer, false)).action,
              retry_action::outcome_unknown);
    EXPECT_EQ(decide_retry(o, failed(failure_kind::server_error, false)).action,
              retry_action::outcome_unknown);
    // Even on the last attempt the caller must learn the outcome is unknown.
    EXPECT_EQ(decide_retry(o, failed(failure_kind::server_error, false, 99)).action,
              retry_action::outcome_unknown);
}

TEST(retry, post_resent_when_it_never_left_or_was_throttled) {
    const retry_options o;
    EXPECT_EQ(decide_retry(o, failed(failure_kind::not_sent, false)).action, retry_action::retry);
    EXPECT_EQ(decide_retry(o, failed(failure_kind::throttled, false)).action, retry_action::retry);
}

TEST(retry, attempts_bounded) {
    retry_options o;
    o.max_attempts = 3;
    EXPECT_EQ(decide_retry(o, failed(failure_kind::no_answer, true, 2)).action,
              retry_action::retry);
    EXPECT_EQ(decide_retry(o, failed(failure_kind::no_answer, true, 3)).action,
              retry_action::give_up);
}

TEST(retry, elapsed_budget_bounded) {
    retry_options o;
    o.max_total = 10s;
    auto in = failed(failure_kind::server_error, true);
    in.elapsed = 9900ms; // the back-off (>= 250 ms) would pass the budget
    EXPECT_EQ(decide_retry(o, in).action, retry_action::give_up);
}

TEST(retry, backoff_grows_with_equal_jitter_and_cap) {
    retry_options o;
    o.base_delay = 100ms;
    o.max_delay = 1s;
    for (int attempt = 1; attempt <= 8; ++attempt) {
        const auto full = std::min<long long>(1000, 100LL << (attempt - 1));
        EXPECT_EQ(backoff_delay(o, attempt, 0.0).count(), full / 2) << attempt;
        EXPECT_EQ(backoff_delay(o, attempt, 1.0).count(), full) << attempt;
        const auto mid = backoff_delay(o, attempt, 0.37).count();
        EXPECT_GE(mid, full / 2);
        EXPECT_LE(mid, full);
    }
    EXPECT_EQ(backoff_delay(o, 1000, 1.0), 1s); // no overflow
}

TEST(retry, throttled_waits_at_least_the_budget_hold) {
    retry_options o;
    o.base_delay = 10ms;
    auto in = failed(failure_kind::throttled, true);
    in.throttle_hold = 900ms;
    const auto v = decide_retry(o, in);
    EXPECT_EQ(v.action, retry_action::retry);
    EXPECT_EQ(v.delay, 900ms);
}

} // namespace
} // namespace pgshift::heroku
