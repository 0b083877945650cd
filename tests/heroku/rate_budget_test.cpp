// The per-token rate budget: refill, RateLimit-Remaining correction, 429 pauses, bounds.
#include "heroku/rate_budget.hpp"

#include <gtest/gtest.h>

namespace pgshift::heroku {
namespace {

using namespace std::chrono_literals;
using tp = rate_budget::clock::time_point;

rate_budget::options small(double capacity) {
    rate_budget::options o;
    o.capacity = capacity;
    return o;
}

TEST(rate_budget, starts_full_and_drains) {
    const tp t0{};
    rate_budget b(small(3), t0);
    EXPECT_EQ(b.try_acquire(t0), 0ms);
    EXPECT_EQ(b.try_acquire(t0), 0ms);
    EXPECT_EQ(b.try_acquire(t0), 0ms);
    // Empty: one token refills in 60 s / 75 = 800 ms.
    EXPECT_EQ(b.try_acquire(t0), 800ms);
    EXPECT_EQ(b.try_acquire(t0 + 400ms), 400ms);
    EXPECT_EQ(b.try_acquire(t0 + 800ms), 0ms);
}

TEST(rate_budget, refill_never_exceeds_capacity) {
    const tp t0{};
    rate_budget b(small(10), t0);
    EXPECT_DOUBLE_EQ(b.available(t0 + 10h), 10.0);
    // Over a long run, grants never exceed capacity + refill rate * elapsed.
    rate_budget fresh(rate_budget::options{}, t0);
    int granted = 0;
    for (auto t = t0; t < t0 + 10min; t += 10ms) {
        while (fresh.try_acquire(t) == 0ms) {
            ++granted;
        }
    }
    EXPECT_LE(granted, 4500 + 75 * 10);
    EXPECT_GE(granted, 4500 + 75 * 10 - 2);
}

TEST(rate_budget, remaining_header_corrects_both_ways) {
    const tp t0{};
    rate_budget b(rate_budget::options{}, t0);
    b.on_answer(12, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 12.0);
    b.on_answer(4000, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 4000.0);
    b.on_answer(999999, t0); // never above capacity
    EXPECT_DOUBLE_EQ(b.available(t0), 4500.0);
    b.on_answer(-5, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 0.0);
    b.on_answer(std::nullopt, t0); // no header: keep our count
    EXPECT_DOUBLE_EQ(b.available(t0), 0.0);
}

TEST(rate_budget, remaining_zero_makes_callers_wait) {
    const tp t0{};
    rate_budget b(rate_budget::options{}, t0);
    b.on_answer(0, t0);
    EXPECT_EQ(b.try_acquire(t0), 800ms);
}

TEST(rate_budget, throttle_pause_grows_like_rate_throttle_client) {
    const tp t0{};
    rate_budget b(rate_budget::options{}, t0);
    // First 429: pause 0 + 0.8 s, held for that (no jitter), then x1.2 for next time.
    EXPECT_EQ(b.on_throttled(t0, 0.0), 800ms);
    EXPECT_EQ(b.pause(), 960ms);
    EXPECT_EQ(b.try_acquire(t0 + 100ms), 700ms);
    // Second: (0.96 + 0.8) = 1.76 s, with full jitter +10 %.
    EXPECT_EQ(b.on_throttled(t0 + 800ms, 1.0), 1936ms);
    EXPECT_EQ(b.pause(), 2112ms);
}

TEST(rate_budget, pause_spaces_requests_then_shrinks_with_remaining) {
    const tp t0{};
    rate_budget b(rate_budget::options{}, t0);
    b.on_throttled(t0, 0.0); // pause now 960 ms
    b.on_answer(4500, t0 + 1s);
    EXPECT_EQ(b.pause(), 0ms); // a full bucket removes the pause entirely
    rate_budget c(rate_budget::options{}, t0);
    c.on_throttled(t0, 0.0);
    c.on_answer(2250, t0 + 1s); // half full: the pause halves
    EXPECT_EQ(c.pause(), 480ms);
    EXPECT_EQ(c.try_acquire(t0 + 1s), 0ms);
    EXPECT_EQ(c.try_acquire(t0 + 1s), 480ms); // the next sender is spaced by the pause
}

TEST(rate_budget, pause_is_bounded) {
    const tp t0{};
    rate_budget b(rate_budget::options{}, t0);
    for (int i = 0; i < 100; ++i) {
        b.on_throttled(t0, 0.5);
    }
    EXPECT_LE(b.pause(), rate_budget::options{}.max_pause);
}

TEST(rate_budget, older_clock_reading_is_harmless) {
    const tp t0{};
    rate_budget b(small(1), t0 + 1s);
    EXPECT_EQ(b.try_acquire(t0), 0ms);
    EXPECT_GT(b.try_acquire(t0), 0ms);
    EXPECT_LE(b.available(t0), 1.0);
}

} // namespace
} // namespace pgshift::heroku
