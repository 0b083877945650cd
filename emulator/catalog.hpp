// Heroku Postgres' catalog as the emulator knows it: plans, supported major versions, default.
#pragma once

#include "emulator/outcome.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::emulator {

// Heroku's default major version for a new add-on created without config.version.
inline constexpr std::string_view default_postgres_version = "17";

struct plan_info {
    std::string name;       // "heroku-postgresql:standard-0"
    std::string human_name; // "Standard 0"
    bool is_default = false;
};

// Every plan that can be provisioned, in Heroku's tier order.
const std::vector<plan_info>& postgres_plans();
// Major versions that can be provisioned, oldest first.
const std::vector<std::string>& postgres_versions();

// The full plan name for `plan` ("heroku-postgresql" alone is the default plan), or 422 for a
// plan outside the catalog, with Heroku's words for a retired one.
outcome<std::string> check_plan(std::string_view plan);
// `version` itself, or the default when absent; 422 naming the available versions otherwise.
outcome<std::string> check_version(std::string_view plan,
                                   const std::optional<std::string>& version);

} // namespace pgshift::emulator
