// What the step plans share: failure words, the target's name, attachments.
#include "statemachine/plan_common.hpp"

#include "statemachine/poll_schedule.hpp"

#include <algorithm>

namespace pgshift::plan {

step_error heroku_failure(std::string_view what, const heroku::api_error& e) {
    return step_error{std::string(what) + ": " + heroku::describe(e), heroku::is_retryable(e)};
}

std::chrono::milliseconds error_delay(const step_env& env) {
    using namespace std::chrono_literals;
    return in_downtime(env.u) ? std::min<std::chrono::milliseconds>(env.opts.poll_interval, 1s)
                              : env.opts.poll_interval;
}

std::string target_addon_name(std::string_view upgrade_id) {
    std::string name = "pgshift-";
    for (char c : upgrade_id) {
        if (c != '-' && name.size() < 8 + 16) {
            name += c;
        }
    }
    return name;
}

std::string major_of(const std::string& version) {
    auto first = version.find('.');
    if (first == std::string::npos) {
        return version;
    }
    if (version.compare(0, first, "9") == 0 || version.compare(0, first, "8") == 0) {
        return version.substr(0, version.find('.', first + 1));
    }
    return version.substr(0, first);
}

const heroku::attachment* find_attachment(const std::vector<heroku::attachment>& all,
                                          std::string_view name) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const auto& a) { return a.name == name && !a.name_space; });
    return it == all.end() ? nullptr : &*it;
}

std::optional<std::string> url_of(const std::vector<heroku::attachment>& all,
                                  const heroku::config_vars& vars, const std::string& addon_id) {
    for (const auto& a : all) {
        if (a.addon.id == addon_id && !a.name_space) {
            if (auto it = vars.find(a.name + "_URL"); it != vars.end()) {
                return it->second;
            }
        }
    }
    return std::nullopt;
}

} // namespace pgshift::plan
