// When a failed Heroku request is sent again, and after how long. Pure.
#pragma once

#include <chrono>

namespace pgshift::heroku {

struct retry_options {
    int max_attempts = 5;                      // per call, the first one included
    std::chrono::milliseconds base_delay{500}; // before the 2nd attempt; doubles each time
    std::chrono::milliseconds max_delay{std::chrono::seconds(20)};
    std::chrono::milliseconds max_total{std::chrono::minutes(3)}; // elapsed, per call
};

// What went wrong with one attempt.
enum class failure_kind {
    not_sent,     // no byte of the request reached the server (resolve, connect): always safe
    no_answer,    // sent, then reset/EOF/timeout before a full answer: effect unknown
    server_error, // 5xx: effect unknown
    throttled,    // 429: the rate limiter refused it before any effect
    final,        // any other error status, TLS verification, a bad answer: retrying won't help
};

enum class retry_action {
    give_up,         // report the error as it is
    retry,           // wait delay, then send again
    outcome_unknown, // report, flagged: a POST may have taken effect, the caller reconciles
};

struct retry_verdict {
    retry_action action = retry_action::give_up;
    std::chrono::milliseconds delay{0};
};

struct retry_input {
    bool idempotent = true; // GET, PUT, DELETE, our PATCHes; never a creating POST
    int attempt = 1;        // the attempt that just failed, from 1
    failure_kind failure = failure_kind::final;
    std::chrono::milliseconds elapsed{0};       // since the call began
    std::chrono::milliseconds throttle_hold{0}; // the rate budget's hold after a 429
    double jitter01 = 0.5;                      // uniform in [0,1)
};

// A POST is never re-sent once it may have reached Heroku; 429 and not_sent are safe for
// every method. The budget bounds both the attempts and the elapsed time.
retry_verdict decide_retry(const retry_options& opts, const retry_input& in);

// Exponential back-off with "equal jitter": in [d/2, d] where d = min(max, base * 2^(n-1)).
std::chrono::milliseconds backoff_delay(const retry_options& opts, int attempt, double jitter01);

} // namespace pgshift::heroku
