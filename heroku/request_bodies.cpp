// JSON bodies of the Heroku requests pgshift sends.
#include "heroku/requests.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace pgshift::heroku {

using nlohmann::json;

std::string maintenance_body(bool on) {
    return json{{"maintenance", on}}.dump();
}

std::string formation_body(const std::vector<formation_update>& updates) {
    json list = json::array();
    for (const auto& u : updates) {
        // Integers, not the CLI's strings: the schema types quantity as an integer.
        list.push_back({{"type", u.type}, {"quantity", u.quantity}});
    }
    return json{{"updates", std::move(list)}}.dump();
}

std::string addon_create_body(const addon_create_request& request) {
    json body{{"plan", {{"name", request.plan}}}};
    json config = json::object();
    for (const auto& [key, value] : request.config) {
        config[key] = value;
    }
    if (request.version) {
        config["version"] = *request.version;
    }
    if (!config.empty()) {
        body["config"] = std::move(config);
    }
    if (request.name) {
        body["name"] = *request.name;
    }
    if (request.attachment_name) {
        body["attachment"] = {{"name", *request.attachment_name}};
    }
    if (request.confirm) {
        body["confirm"] = *request.confirm;
    }
    return body.dump();
}

std::string attachment_create_body(const attachment_create_request& request) {
    json body{{"addon", {{"name", request.addon_name}}}, {"app", {{"name", request.app}}}};
    body["namespace"] = request.name_space ? json(*request.name_space) : json(nullptr);
    if (request.name) {
        body["name"] = *request.name;
    }
    if (request.confirm) {
        body["confirm"] = *request.confirm;
    }
    return body.dump();
}

std::string addon_destroy_body() {
    return json{{"force", false}}.dump();
}

std::string restore_body(std::string_view backup_url, std::vector<std::string> extensions) {
    json body{{"backup_url", backup_url}};
    if (!extensions.empty()) {
        // As pg:backups:restore --extensions sends them: trimmed by the caller, lower-case, sorted.
        for (auto& name : extensions) {
            std::transform(name.begin(), name.end(), name.begin(), [](char c) {
                return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            });
        }
        std::sort(extensions.begin(), extensions.end());
        body["extensions"] = std::move(extensions);
    }
    return body.dump();
}

} // namespace pgshift::heroku
