// kill_schedule: a printed seed replays the same SIGKILL plan; a bad seed is refused.
#include "tests/durability/kill_schedule.hpp"

#include <gtest/gtest.h>

namespace pgshift::testing {
namespace {

TEST(kill_schedule, the_same_seed_gives_the_same_schedule) {
    auto first = kill_schedule(123, 80);
    auto again = kill_schedule(123, 80);
    ASSERT_EQ(first.size(), 80U);
    EXPECT_EQ(first, again);
    EXPECT_NE(first, kill_schedule(124, 80)); // the seed, not a constant, picks the moments
}

TEST(kill_schedule, kills_during_start_up_every_tenth_run_and_late_otherwise) {
    auto plans = kill_schedule(7, 30);
    for (std::size_t i = 0; i < plans.size(); ++i) {
        EXPECT_EQ(plans[i].early, i % 10 == 0) << i;
        EXPECT_LT(plans[i].after.count(), plans[i].early ? 15 : 40) << i;
    }
}

TEST(durability_seed, replays_a_seed_given_in_the_environment) {
    auto seed = durability_seed("123");
    ASSERT_TRUE(seed.ok()) << seed.err();
    EXPECT_EQ(*seed, 123U);
    auto largest = durability_seed("4294967295");
    ASSERT_TRUE(largest.ok()) << largest.err();
    EXPECT_EQ(*largest, 4294967295U);
}

TEST(durability_seed, draws_a_fresh_seed_when_none_is_given) {
    EXPECT_TRUE(durability_seed(nullptr).ok());
    EXPECT_TRUE(durability_seed("").ok());
}

TEST(durability_seed, refuses_what_is_not_a_seed_and_names_the_variable) {
    for (const char* bad : {"12x", "-1", "4294967296", " 5", "seed", "1.5"}) {
        auto seed = durability_seed(bad);
        ASSERT_FALSE(seed.ok()) << bad;
        EXPECT_NE(seed.err().find("PGSHIFT_DURABILITY_SEED"), std::string::npos) << seed.err();
    }
}

} // namespace
} // namespace pgshift::testing
