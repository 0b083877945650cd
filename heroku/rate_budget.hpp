// The per-token request budget: a token bucket kept in step with RateLimit-Remaining. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>

namespace pgshift::heroku {

// Heroku refills 4500 requests per hour per account continuously (GCRA). Every call made
// with one token draws from one budget, so many upgrades together slow down instead of
// causing a 429 storm. Times are passed in, so tests drive it with a scripted clock.
// 429 back-off follows the official Ruby client's RateThrottleClient (heroku-api.md §2):
// a shared pause that grows by 0.8 s and then x1.2 per 429, plus 0-10 % jitter, and shrinks
// in proportion to RateLimit-Remaining / capacity after each answer.
class rate_budget {
public:
    using clock = std::chrono::steady_clock;
    using duration = std::chrono::milliseconds;
    // Numbers the requests that took a token, in the order they took it; 0: a request
    // sent outside the budget.
    using ticket = std::uint64_t;

    struct options {
        double capacity = 4500;        // the bucket size (Heroku's hourly allowance)
        double refill_per_minute = 75; // 4500 / 60
        duration min_pause{800};       // 3600 s / 4500: one request's worth of refill
        double pause_multiplier = 1.2;
        duration max_pause{std::chrono::minutes(2)}; // our bound; RateThrottleClient has none
        // Tokens never spent: one request the server counted after a newer one, with the
        // newer one's answer read last, makes the estimate one too high, and nothing on
        // this side can see it. -1: capacity / 50, at most 8 (8 of Heroku's 4500).
        double reserve = -1;
    };

    struct grant {
        duration wait{0}; // 0: a token was taken, under `number`
        ticket number = 0;
    };

    rate_budget(options opts, clock::time_point now);

    // Takes one token (wait 0, a ticket to hand back with the answer), or takes nothing and
    // says how long to wait before asking again (a token refilled or the 429 pause over).
    // keep: tokens this caller must leave for others (set aside for apps in downtime).
    grant try_acquire(clock::time_point now, double keep = 0);
    // Every answer: the server's count is the truth (it also sees other clients of the
    // token), but it was taken when the server handled request `t`, and answers come back
    // out of order over several connections. So the estimate removes every request sent
    // after `t` and every older one still unanswered: none of them may be in that count.
    // remaining is nullopt when the header was absent or unreadable.
    void on_answer(ticket t, std::optional<std::int64_t> remaining, clock::time_point now);
    // A request that took a token ended without an answer (network error, timeout).
    void on_no_answer(ticket t);
    // A 429 for request `t`: empties the bucket and holds every sender. 429s for requests
    // sent before the previous 429 came back are one event (one burst): they do not grow
    // the pause again. jitter01 in [0,1) picks the 0-10 % jitter. Returns the hold.
    duration on_throttled(ticket t, clock::time_point now, double jitter01);

    double available(clock::time_point now); // tokens now (refilled first)
    duration pause() const { return pause_; }
    std::size_t in_flight() const { return outstanding_.size(); }

private:
    void refill(clock::time_point now);

    options opts_;
    double reserve_;
    double tokens_;
    clock::time_point refilled_at_;
    clock::time_point hold_until_;
    duration pause_{0};
    ticket issued_ = 0;            // the last ticket handed out
    ticket throttled_through_ = 0; // tickets up to this one belong to the last 429 burst
    std::set<ticket> outstanding_; // tokens taken whose answers have not come back yet
};

} // namespace pgshift::heroku
