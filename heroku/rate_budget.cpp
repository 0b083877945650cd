// Token bucket with RateLimit-Remaining correction and RateThrottleClient-style 429 pauses.
#include "heroku/rate_budget.hpp"

#include <algorithm>
#include <cmath>

namespace pgshift::heroku {

rate_budget::rate_budget(options opts, clock::time_point now)
    : opts_(opts)
    , tokens_(opts.capacity)
    , refilled_at_(now)
    , hold_until_(clock::time_point::min()) {}

void rate_budget::refill(clock::time_point now) {
    if (now <= refilled_at_) {
        return; // a caller with an older reading of the clock must not drain or add tokens
    }
    const std::chrono::duration<double, std::ratio<60>> minutes = now - refilled_at_;
    tokens_ = std::min(opts_.capacity, tokens_ + minutes.count() * opts_.refill_per_minute);
    refilled_at_ = now;
}

void rate_budget::on_no_answer() {
    if (in_flight_ > 0) {
        --in_flight_;
    }
}

rate_budget::duration rate_budget::try_acquire(clock::time_point now) {
    refill(now);
    if (now < hold_until_) {
        return std::chrono::ceil<duration>(hold_until_ - now);
    }
    if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        ++in_flight_;
        // The pause spaces every request while it lasts, as RateThrottleClient sleeps
        // before each call; here it is shared by all the callers.
        hold_until_ = now + pause_;
        return duration{0};
    }
    const double minutes = (1.0 - tokens_) / opts_.refill_per_minute;
    const auto wait = std::chrono::duration<double, std::ratio<60>>(minutes);
    return std::max(duration{1}, std::chrono::ceil<duration>(wait));
}

void rate_budget::on_answer(std::optional<std::int64_t> remaining, clock::time_point now,
                            bool counted) {
    refill(now);
    if (counted) {
        on_no_answer();
    }
    if (!remaining) {
        return;
    }
    const double r = std::clamp(static_cast<double>(*remaining), 0.0, opts_.capacity);
    // Assigning r alone would hand back the tokens of requests sent after the server
    // counted this one: with N in flight, N-1 requests too many (429s).
    tokens_ = std::max(0.0, r - static_cast<double>(in_flight_));
    const double decrease = pause_.count() * r / opts_.capacity;
    pause_ = duration{static_cast<duration::rep>(std::max(0.0, pause_.count() - decrease))};
}

rate_budget::duration rate_budget::on_throttled(clock::time_point now, double jitter01) {
    refill(now);
    tokens_ = 0;
    pause_ = std::min(opts_.max_pause, pause_ + opts_.min_pause);
    const double jitter = std::clamp(jitter01, 0.0, 1.0) * 0.1;
    const auto hold = duration{static_cast<duration::rep>(pause_.count() * (1.0 + jitter))};
    hold_until_ = std::max(hold_until_, now + hold);
    const double grown = pause_.count() * opts_.pause_multiplier;
    pause_ = std::min(opts_.max_pause, duration{static_cast<duration::rep>(grown)});
    return hold;
}

double rate_budget::available(clock::time_point now) {
    refill(now);
    return tokens_;
}

} // namespace pgshift::heroku
