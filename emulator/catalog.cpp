// Heroku Postgres' catalog: the plan list, supported major versions, and the 422s outside them.
#include "emulator/catalog.hpp"

#include <algorithm>
#include <array>

namespace pgshift::emulator {

namespace {

constexpr std::string_view service = "heroku-postgresql";

// Plans retired by Heroku (hobby in 2022, mini/basic renamed essential in 2024).
constexpr std::array<std::string_view, 4> retired{"hobby-dev", "hobby-basic", "mini", "basic"};

std::string capitalised(std::string_view tier) {
    std::string out(tier);
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
}

std::vector<plan_info> make_plans() {
    std::vector<plan_info> out;
    const auto add = [&](std::string_view tier, std::string_view size) {
        out.push_back({std::string(service) + ":" + std::string(tier) + "-" + std::string(size),
                       capitalised(tier) + " " + std::string(size), out.empty()});
    };
    for (auto size : {"0", "1", "2"}) {
        add("essential", size);
    }
    // Standard has no size 1; the larger tiers add memory-heavy variants of size 9.
    for (auto tier : {"standard", "premium", "private", "shield"}) {
        for (auto size : {"0", "2", "3", "4", "5", "6", "7", "8", "9"}) {
            add(tier, size);
        }
        if (std::string_view(tier) != "standard") {
            for (auto size : {"l-9", "xl-9", "2xl-9"}) {
                add(tier, size);
            }
        }
    }
    return out;
}

std::string joined_versions() {
    std::string out;
    for (const auto& v : postgres_versions()) {
        out += (out.empty() ? "" : ", ") + v;
    }
    return out;
}

} // namespace

const std::vector<plan_info>& postgres_plans() {
    static const auto plans = make_plans();
    return plans;
}

const std::vector<std::string>& postgres_versions() {
    static const std::vector<std::string> versions{"15", "16", "17"};
    return versions;
}

outcome<std::string> check_plan(std::string_view plan) {
    if (plan == service) {
        return postgres_plans().front().name;
    }
    const auto& plans = postgres_plans();
    if (std::any_of(plans.begin(), plans.end(),
                    [&](const plan_info& p) { return p.name == plan; })) {
        return std::string(plan);
    }
    const auto prefix = std::string(service) + ":";
    const auto size = plan.rfind(prefix, 0) == 0 ? plan.substr(prefix.size()) : std::string_view{};
    if (std::find(retired.begin(), retired.end(), size) != retired.end()) {
        return invalid("The " + std::string(plan) +
                       " plan is no longer available. Choose a different plan. See all "
                       "available plans in the Elements Marketplace at elements.heroku.com.");
    }
    return invalid("Couldn't find either the add-on service or the add-on plan of \"" +
                   std::string(plan) + "\".");
}

outcome<std::string> check_version(std::string_view plan,
                                   const std::optional<std::string>& version) {
    if (!version) {
        return std::string(default_postgres_version);
    }
    const auto& known = postgres_versions();
    if (std::find(known.begin(), known.end(), *version) != known.end()) {
        return *version;
    }
    return invalid("An error was encountered when contacting the add-on partner to create " +
                   std::string(plan) + ": Available versions are " + joined_versions() +
                   " (the default is " + std::string(default_postgres_version) + ")");
}

} // namespace pgshift::emulator
