// Token bucket with RateLimit-Remaining correction and RateThrottleClient-style 429 pauses.
#include "heroku/rate_budget.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace pgshift::heroku {

rate_budget::rate_budget(options opts, clock::time_point now)
    : opts_(opts)
    , reserve_(opts.reserve >= 0 ? opts.reserve : std::min(8.0, std::floor(opts.capacity / 50)))
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

void rate_budget::on_no_answer(ticket t) {
    outstanding_.erase(t);
}

rate_budget::grant rate_budget::try_acquire(clock::time_point now, double keep) {
    refill(now);
    if (now < hold_until_) {
        return {std::chrono::ceil<duration>(hold_until_ - now), 0};
    }
    const double needed = 1.0 + reserve_ + std::max(0.0, keep);
    if (tokens_ >= needed) {
        tokens_ -= 1.0;
        outstanding_.insert(++issued_);
        // The pause spaces every request while it lasts, as RateThrottleClient sleeps
        // before each call; here it is shared by all the callers.
        hold_until_ = now + pause_;
        return {duration{0}, issued_};
    }
    // Never more than a minute: what is kept for others changes meanwhile.
    const double minutes = std::min(1.0, (needed - tokens_) / opts_.refill_per_minute);
    const auto wait = std::chrono::duration<double, std::ratio<60>>(minutes);
    return {std::max(duration{1}, std::chrono::ceil<duration>(wait)), 0};
}

void rate_budget::on_answer(ticket t, std::optional<std::int64_t> remaining,
                            clock::time_point now) {
    refill(now);
    outstanding_.erase(t);
    if (!remaining) {
        return;
    }
    const double r = std::clamp(static_cast<double>(*remaining), 0.0, opts_.capacity);
    // A request outside the budget was counted by the server just now, as if sent last.
    const ticket at = t == 0 ? issued_ + 1 : t;
    const auto sent_after = static_cast<double>(issued_ >= at ? issued_ - at : 0);
    const auto older_unanswered =
        static_cast<double>(std::distance(outstanding_.begin(), outstanding_.lower_bound(at)));
    tokens_ = std::max(0.0, r - sent_after - older_unanswered);
    const double decrease = pause_.count() * r / opts_.capacity;
    pause_ = duration{static_cast<duration::rep>(std::max(0.0, pause_.count() - decrease))};
}

rate_budget::duration rate_budget::on_throttled(ticket t, clock::time_point now, double jitter01) {
    refill(now);
    outstanding_.erase(t);
    tokens_ = 0;
    if (t != 0 && t <= throttled_through_) {
        // Sent before the burst's first 429 came back: the hold already covers it.
        return std::max(duration{0}, std::chrono::ceil<duration>(hold_until_ - now));
    }
    throttled_through_ = issued_;
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
