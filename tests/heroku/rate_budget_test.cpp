// The per-token rate budget: refill, RateLimit-Remaining correction, 429 pauses, bounds.
#include "heroku/rate_budget.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace pgshift::heroku {
namespace {

using namespace std::chrono_literals;
using tp = rate_budget::clock::time_point;

// How long the caller must wait; 0 when a token was taken.
rate_budget::duration wait(rate_budget& b, tp now) {
    return b.try_acquire(now).wait;
}

// Heroku's budget without the reserve, so the arithmetic below is exact.
rate_budget::options no_reserve() {
    rate_budget::options o;
    o.reserve = 0;
    return o;
}

rate_budget::options small(double capacity) {
    rate_budget::options o = no_reserve();
    o.capacity = capacity;
    return o;
}

TEST(rate_budget, starts_full_and_drains) {
    const tp t0{};
    rate_budget b(small(3), t0);
    EXPECT_EQ(wait(b, t0), 0ms);
    EXPECT_EQ(wait(b, t0), 0ms);
    EXPECT_EQ(wait(b, t0), 0ms);
    // Empty: one token refills in 60 s / 75 = 800 ms.
    EXPECT_EQ(wait(b, t0), 800ms);
    EXPECT_EQ(wait(b, t0 + 400ms), 400ms);
    EXPECT_EQ(wait(b, t0 + 800ms), 0ms);
}

TEST(rate_budget, refill_never_exceeds_capacity) {
    const tp t0{};
    rate_budget b(small(10), t0);
    EXPECT_DOUBLE_EQ(b.available(t0 + 10h), 10.0);
    // Over a long run, grants never exceed capacity + refill rate * elapsed.
    rate_budget fresh(no_reserve(), t0);
    int granted = 0;
    for (auto t = t0; t < t0 + 10min; t += 10ms) {
        while (wait(fresh, t) == 0ms) {
            ++granted;
        }
    }
    EXPECT_LE(granted, 4500 + 75 * 10);
    EXPECT_GE(granted, 4500 + 75 * 10 - 2);
}

TEST(rate_budget, remaining_header_corrects_both_ways) {
    const tp t0{};
    rate_budget b(no_reserve(), t0);
    b.on_answer(0, 12, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 12.0);
    b.on_answer(0, 4000, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 4000.0);
    b.on_answer(0, 999999, t0); // never above capacity
    EXPECT_DOUBLE_EQ(b.available(t0), 4500.0);
    b.on_answer(0, -5, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 0.0);
    b.on_answer(0, std::nullopt, t0); // no header: keep our count
    EXPECT_DOUBLE_EQ(b.available(t0), 0.0);
}

TEST(rate_budget, remaining_zero_makes_callers_wait) {
    const tp t0{};
    rate_budget b(no_reserve(), t0);
    b.on_answer(0, 0, t0);
    EXPECT_EQ(wait(b, t0), 800ms);
}

TEST(rate_budget, throttle_pause_grows_like_rate_throttle_client) {
    const tp t0{};
    rate_budget b(no_reserve(), t0);
    // First 429: pause 0 + 0.8 s, held for that (no jitter), then x1.2 for next time.
    EXPECT_EQ(b.on_throttled(0, t0, 0.0), 800ms);
    EXPECT_EQ(b.pause(), 960ms);
    EXPECT_EQ(wait(b, t0 + 100ms), 700ms);
    // Second: (0.96 + 0.8) = 1.76 s, with full jitter +10 %.
    EXPECT_EQ(b.on_throttled(0, t0 + 800ms, 1.0), 1936ms);
    EXPECT_EQ(b.pause(), 2112ms);
}

TEST(rate_budget, pause_spaces_requests_then_shrinks_with_remaining) {
    const tp t0{};
    rate_budget b(no_reserve(), t0);
    b.on_throttled(0, t0, 0.0); // pause now 960 ms
    b.on_answer(0, 4500, t0 + 1s);
    EXPECT_EQ(b.pause(), 0ms); // a full bucket removes the pause entirely
    rate_budget c(no_reserve(), t0);
    c.on_throttled(0, t0, 0.0);
    c.on_answer(0, 2250, t0 + 1s); // half full: the pause halves
    EXPECT_EQ(c.pause(), 480ms);
    EXPECT_EQ(wait(c, t0 + 1s), 0ms);
    EXPECT_EQ(wait(c, t0 + 1s), 480ms); // the next sender is spaced by the pause
}

TEST(rate_budget, pause_is_bounded) {
    const tp t0{};
    rate_budget b(no_reserve(), t0);
    for (int i = 0; i < 100; ++i) {
        b.on_throttled(0, t0, 0.5);
    }
    EXPECT_LE(b.pause(), rate_budget::options{}.max_pause);
}

TEST(rate_budget, older_clock_reading_is_harmless) {
    const tp t0{};
    rate_budget b(small(1), t0 + 1s);
    EXPECT_EQ(wait(b, t0), 0ms);
    EXPECT_GT(wait(b, t0), 0ms);
    EXPECT_LE(b.available(t0), 1.0);
}

TEST(rate_budget, a_reserve_is_never_spent) {
    const tp t0{};
    rate_budget b(rate_budget::options{}, t0); // Heroku's: 4500, reserve 8
    b.on_answer(0, 10, t0);
    EXPECT_EQ(wait(b, t0), 0ms);
    EXPECT_EQ(wait(b, t0), 0ms);
    // 8 left: the next one waits until a token beyond the reserve has refilled (800 ms).
    EXPECT_EQ(wait(b, t0), 800ms);
    rate_budget::options o = small(3); // capacity / 50 < 1: no reserve
    o.reserve = -1;
    rate_budget tiny_default(o, t0);
    EXPECT_EQ(wait(tiny_default, t0), 0ms);
    EXPECT_EQ(wait(tiny_default, t0), 0ms);
    EXPECT_EQ(wait(tiny_default, t0), 0ms);
}

TEST(rate_budget, answers_out_of_order_never_hand_back_tokens_already_spent) {
    const tp t0{};
    rate_budget b(small(100), t0);
    std::vector<rate_budget::ticket> sent;
    for (int i = 0; i < 5; ++i) {
        sent.push_back(b.try_acquire(t0).number);
    }
    // The server handled them in order, leaving 99, 98, 97, 96, 95, but the answers come
    // back in another order, over other connections.
    b.on_answer(sent[4], 95, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 91.0); // 4 older ones may not be counted yet
    b.on_answer(sent[3], 96, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 92.0); // 96 - 1 sent after - 3 older unanswered
    b.on_answer(sent[0], 99, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 95.0); // 99 - 4 sent after it: the truth
    b.on_answer(sent[2], 97, t0);
    b.on_answer(sent[1], 98, t0);
    EXPECT_DOUBLE_EQ(b.available(t0), 95.0);
    EXPECT_EQ(b.in_flight(), 0u);
}

TEST(rate_budget, a_stale_answer_cannot_overestimate) {
    const tp t0{};
    rate_budget b(small(10), t0);
    auto slow = b.try_acquire(t0).number; // the server counts it first: 9 left
    for (int i = 0; i < 8; ++i) {
        auto t = b.try_acquire(t0).number; // then these: 8, 7, … 1 left
        ASSERT_NE(t, 0u);
        b.on_answer(t, 8 - i, t0);
    }
    // The slow one may not be counted yet, as far as we know: nothing left to spend.
    EXPECT_DOUBLE_EQ(b.available(t0), 0.0);
    EXPECT_GT(wait(b, t0), 0ms);
    b.on_answer(slow, 9, t0); // the oldest answer arrives last: 9 - 8 sent after it, the truth
    EXPECT_DOUBLE_EQ(b.available(t0), 1.0);
}

TEST(rate_budget, a_burst_of_429s_is_one_event) {
    const tp t0{};
    rate_budget b(no_reserve(), t0);
    std::vector<rate_budget::ticket> sent;
    for (int i = 0; i < 10; ++i) {
        sent.push_back(b.try_acquire(t0).number);
    }
    EXPECT_EQ(b.on_throttled(sent[0], t0, 0.0), 800ms);
    EXPECT_EQ(b.pause(), 960ms);
    for (int i = 1; i < 10; ++i) { // the other nine were in flight when the first came back
        EXPECT_LE(b.on_throttled(sent[i], t0 + 10ms, 0.0), 800ms);
    }
    EXPECT_EQ(b.pause(), 960ms);
    // A request sent after the burst that is throttled again is a new event.
    auto later = b.try_acquire(t0 + 1s).number;
    ASSERT_NE(later, 0u);
    EXPECT_EQ(b.on_throttled(later, t0 + 1s, 0.0), 1760ms);
}

TEST(rate_budget, no_answer_releases_the_request) {
    const tp t0{};
    rate_budget b(small(10), t0);
    auto t = b.try_acquire(t0).number;
    EXPECT_EQ(b.in_flight(), 1u);
    b.on_no_answer(t);
    EXPECT_EQ(b.in_flight(), 0u);
}

} // namespace
} // namespace pgshift::heroku
