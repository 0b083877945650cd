// What a finished upgrade leaves billed: the old add-on (or a kept new one after a rollback),
// read from the upgrade and the words its history recorded.
#include "cli/render.hpp"

#include <string_view>

namespace pgshift::cli {
namespace {

// The confirming step records "…; the old database NAME stays attached as ATTACHMENT".
std::string attachment_of(const std::string& addon, const std::vector<event_view>& history) {
    const std::string said = "the old database " + addon + " stays attached as ";
    for (const auto& e : history) {
        if (const auto at = e.detail.find(said); at != std::string::npos) {
            const auto name = e.detail.substr(at + said.size());
            return name.substr(0, name.find_first_of(" ;,)"));
        }
    }
    return {};
}

// The history says pgshift destroyed `addon`: "NAME destroyed", or (older) "destroy NAME: done".
bool destroyed(const std::string& addon, const std::vector<event_view>& history) {
    for (const auto& e : history) {
        if (e.type == "effect_recorded" &&
            (e.detail == addon + " destroyed" || e.detail == "destroy " + addon + ": done")) {
            return true;
        }
    }
    return false;
}

std::string remove_hint(const std::string& addon, const std::string& app) {
    return "remove it with: heroku addons:destroy " + addon + " -a " + app;
}

} // namespace

std::string describe_leftovers(const upgrade_view& u, const std::vector<event_view>& history) {
    if (u.state == "rolled_back" && u.keep_target_on_rollback && !u.target_addon.empty() &&
        !destroyed(u.target_addon, history)) {
        return "the new database " + u.target_addon +
               " was kept (keep_target_on_rollback) and is still provisioned and billed; " +
               remove_hint(u.target_addon, u.app);
    }
    if (u.state != "succeeded" || u.source_addon.empty()) {
        return {};
    }
    const auto& old = u.source_addon;
    if (destroyed(old, history)) {
        return "pgshift removed the old database " + old + ": it is no longer billed";
    }
    if (!u.source_app.empty() && u.source_app != u.app) {
        return "the old database " + old + " belongs to " + u.source_app +
               " and stays there (pgshift never removes another app's database)";
    }
    const auto attachment = attachment_of(old, history);
    return "the old database " + old +
           (attachment.empty() ? std::string{} : " (attached as " + attachment + ")") +
           " is still provisioned and billed; " + remove_hint(old, u.app);
}

} // namespace pgshift::cli
