// The poll schedule: tight while the app is down, frugal otherwise.
#include "statemachine/poll_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace pgshift::plan {

using std::chrono::milliseconds;

namespace {

// How far past the expected end a poll aims: Heroku needs a moment to mark it finished.
constexpr milliseconds aim_after_end{25};

milliseconds at_least_1ms(milliseconds d) {
    return std::max(d, milliseconds(1));
}

} // namespace

bool in_downtime(const upgrade& u) noexcept {
    return u.downtime.began.has_value() && !u.downtime.ended.has_value();
}

milliseconds backoff_delay(const step_options& o, bool tight, milliseconds waited) {
    if (tight) {
        // poll_min for the first 6 × poll_min, then a sixth of the wait so far: an end is
        // noticed late by at most ~17 % of the wait, in a number of polls that grows with
        // the logarithm of the wait (a 10-minute index build: ~30).
        return at_least_1ms(std::clamp(waited / 6, o.poll_min, std::max(o.poll_min, o.poll_max)));
    }
    return at_least_1ms(
        std::clamp(waited / 3, o.poll_interval, std::max(o.poll_interval, o.poll_max)));
}

void transfer_pace::observe(time_point now, std::int64_t processed, std::int64_t total) {
    if (!seen_) {
        seen_ = now;
    }
    if (processed > 0 && !first_) {
        first_ = sample{now, processed};
    }
    const bool was_early = first_ && !at_size_ && total_ > 0 && last_.processed < total_;
    if (was_early && processed == last_.processed) {
        ++misses_; // no bytes since the last poll: the estimate ran ahead of Heroku
    }
    last_ = sample{now, processed};
    if (total > 0) {
        total_ = total;
    }
    if (total_ > 0 && processed >= total_ && !at_size_) {
        at_size_ = now;
    }
}

std::optional<double> transfer_pace::rate() const {
    if (!first_ || last_.processed <= first_->processed) {
        return std::nullopt;
    }
    const std::chrono::duration<double> span = last_.at - first_->at;
    if (span.count() <= 0) {
        return std::nullopt;
    }
    return static_cast<double>(last_.processed - first_->processed) / span.count();
}

milliseconds transfer_pace::next_delay(const step_options& o, bool tight) const {
    const time_point now = last_.at;
    if (at_size_) {
        // Every byte is there, the end is not: no estimate, so back off from that moment.
        return backoff_delay(o, tight, std::chrono::duration_cast<milliseconds>(now - *at_size_));
    }
    const auto r = rate();
    if (!r || total_ <= 0) {
        // Pending, or one sample only: the wait so far in this run says how patient to be.
        return backoff_delay(o, tight,
                             std::chrono::duration_cast<milliseconds>(now - seen_.value_or(now)));
    }
    const double left_s = static_cast<double>(total_ - last_.processed) / *r;
    const auto eta = milliseconds(static_cast<std::int64_t>(std::ceil(left_s * 1000)));
    const milliseconds floor = tight ? o.poll_min : o.poll_interval;
    if (tight && eta <= 2 * o.poll_min) {
        // Near the end: aim just past it. An aim that was early (no bytes since) waits
        // twice as long the next time, so a transfer slower than its estimate is not
        // asked every few milliseconds.
        const milliseconds least =
            std::min(o.poll_min, aim_after_end * (1 << std::min(misses_, 4)));
        return at_least_1ms(std::max(eta + aim_after_end, least));
    }
    // Far from it: a part of the time left, so the polls close in on the end geometrically.
    // Half while the pace was measured over less than the time left; up to nine tenths
    // once it was measured over nine times as long (the end of a long transfer, whose pace
    // is well known), so an hour's restore is not asked a dozen times in its last minute.
    const double span_s = std::chrono::duration<double>(last_.at - first_->at).count();
    const double part = std::clamp(span_s / (span_s + left_s), 0.5, 0.9);
    const auto wait = milliseconds(static_cast<std::int64_t>(part * left_s * 1000));
    return at_least_1ms(std::clamp(wait, floor, std::max(floor, o.poll_max)));
}

} // namespace pgshift::plan
