// The per-token request budget: a token bucket kept in step with RateLimit-Remaining. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace pgshift::heroku {

// Heroku refills 4500 requests per hour per account continuously (GCRA). Every call made
// with one token draws from one budget, so many upgrades together slow down instead of
// causing a 429 storm. Times are passed in, so tests drive it with a scripted clock.
// 429 back-off follows the official Ruby client's RateThrottleClient (heroku-api.md §2):
// a shared pause that grows by 0.8 s and then x1.2 per 429, plus 0-10 % jitter, and shrinks
// in proportion to RateLimit-Remaining / 4500 after each answer.
class rate_budget {
public:
    using clock = std::chrono::steady_clock;
    using duration = std::chrono::milliseconds;

    struct options {
        double capacity = 4500;        // the bucket size (Heroku's hourly allowance)
        double refill_per_minute = 75; // 4500 / 60
        duration min_pause{800};       // 3600 s / 4500: one request's worth of refill
        double pause_multiplier = 1.2;
        duration max_pause{std::chrono::minutes(2)}; // our bound; RateThrottleClient has none
    };

    rate_budget(options opts, clock::time_point now);

    // Takes one token and returns 0, or takes nothing and returns how long to wait before
    // asking again (until a token has refilled or the 429 pause has passed).
    duration try_acquire(clock::time_point now);
    // Every answer: trust the server's count (it also sees other clients of the token),
    // less the requests still in flight (their tokens are already taken here but not yet in
    // that count), and shrink the 429 pause. remaining is nullopt when the header was absent
    // or unreadable. counted: the request took a token through try_acquire.
    void on_answer(std::optional<std::int64_t> remaining, clock::time_point now,
                   bool counted = true);
    // A request that took a token ended without an answer (network error, timeout).
    void on_no_answer();
    // A 429: empties the bucket, grows the pause, holds every sender for it. jitter01 in
    // [0,1) picks the 0-10 % jitter. Returns the hold.
    duration on_throttled(clock::time_point now, double jitter01);

    double available(clock::time_point now); // tokens now (refilled first)
    duration pause() const { return pause_; }

private:
    void refill(clock::time_point now);

    options opts_;
    double tokens_;
    clock::time_point refilled_at_;
    clock::time_point hold_until_;
    duration pause_{0};
    std::int64_t in_flight_ = 0; // tokens taken whose answers have not come back yet
};

} // namespace pgshift::heroku
