// kill_schedule: the durability test's SIGKILL plan, derived from one printed, replayable seed.
#pragma once

#include "statemachine/result.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pgshift::testing {

// One run of the child: killed during start-up (`early`) or after its first commit, `after`
// later; `child_seed` drives the child's own choices.
struct kill_plan {
    bool early = false;
    std::chrono::milliseconds after{0};
    std::uint32_t child_seed = 0;

    friend bool operator==(const kill_plan&, const kill_plan&) = default;
};

// The environment variable that replays a run: PGSHIFT_DURABILITY_SEED=<decimal uint32>.
inline constexpr const char* durability_seed_variable = "PGSHIFT_DURABILITY_SEED";

// The seed from `text` (the variable's value; null or empty means a fresh random seed).
// A value that is not a decimal number in [0, 2^32) is an error naming the variable: a typo
// must not silently run some other schedule.
expected<std::uint32_t, std::string> durability_seed(const char* text);

// `runs` plans, a pure function of `seed`: the same seed gives the same schedule.
std::vector<kill_plan> kill_schedule(std::uint32_t seed, int runs);

} // namespace pgshift::testing
