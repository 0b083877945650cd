// kill_schedule: seed parsing and the seeded SIGKILL plan of the durability test.
#include "tests/durability/kill_schedule.hpp"

#include <charconv>
#include <cstring>
#include <random>

namespace pgshift::testing {

expected<std::uint32_t, std::string> durability_seed(const char* text) {
    if (text == nullptr || *text == 0) {
        return static_cast<std::uint32_t>(std::random_device{}());
    }
    std::uint32_t seed = 0;
    const char* end = text + std::strlen(text);
    auto [ptr, ec] = std::from_chars(text, end, seed);
    if (ec != std::errc{} || ptr != end) {
        return std::string(durability_seed_variable) + "=\"" + text +
               "\" is not a decimal number from 0 to 4294967295";
    }
    return seed;
}

std::vector<kill_plan> kill_schedule(std::uint32_t seed, int runs) {
    std::mt19937 rng(seed);
    std::vector<kill_plan> plans;
    for (int i = 0; i < runs; ++i) {
        kill_plan p;
        // Every tenth run dies during start-up or migration; the rest while committing.
        p.early = i % 10 == 0;
        p.after = std::chrono::milliseconds(rng() % (p.early ? 15 : 40));
        p.child_seed = static_cast<std::uint32_t>(rng());
        plans.push_back(p);
    }
    return plans;
}

} // namespace pgshift::testing
