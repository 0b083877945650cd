// Building Heroku-shaped HTTP answers and reading JSON bodies without exceptions.
#include "emulator/http_reply.hpp"

namespace pgshift::emulator {

std::string param(const http::request& req, std::string_view name) {
    auto it = req.params.find(name);
    return it == req.params.end() ? std::string{} : it->second;
}

http::response reply(int status, const nlohmann::json& body) {
    return http::response::json(status, body.dump());
}

http::response reply_error(const api_error& e) {
    nlohmann::json body = {{"id", e.id},
                           {"message", e.message},
                           {"url", "https://devcenter.heroku.com/articles/platform-api-reference"}};
    if (!e.resource.empty()) {
        body["resource"] = e.resource;
    }
    auto res = reply(e.status, body);
    if (e.status == 423) {
        // Our choice: the header names what must be confirmed; the CLI only tests presence.
        res.with_header("X-Confirmation-Required", "app_name");
    }
    return res;
}

std::optional<nlohmann::json> body_object(const http::request& req) {
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return nlohmann::json::object();
    }
    auto j = nlohmann::json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return std::nullopt;
    }
    return j;
}

bool is_data_api_path(std::string_view path) noexcept {
    return path == "/client/v11" || path.rfind("/client/v11/", 0) == 0;
}

void as_data_api_error(http::response& res) {
    if (res.status < 400 || res.reset) {
        return;
    }
    auto j = nlohmann::json::parse(res.body, nullptr, false);
    std::string text = "error";
    if (j.is_object() && j.contains("message") && j["message"].is_string()) {
        text = j["message"].get<std::string>();
    }
    res.body =
        nlohmann::json{{"error", res.status == 404 ? std::string("not found") : text}}.dump();
}

http::response bad_body() {
    return reply_error({400, "bad_request", "Request body must be a JSON object.", {}});
}

std::optional<std::string> string_field(const nlohmann::json& j, std::string_view key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
        return std::nullopt;
    }
    return it->get<std::string>();
}

bool bool_or(const nlohmann::json& j, std::string_view key, bool fallback) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::optional<std::string> name_or_id(const nlohmann::json& j, std::string_view key) {
    auto it = j.find(key);
    if (it == j.end()) {
        return std::nullopt;
    }
    if (it->is_string()) {
        return it->get<std::string>();
    }
    if (it->is_object()) {
        if (auto name = string_field(*it, "name")) {
            return name;
        }
        return string_field(*it, "id");
    }
    return std::nullopt;
}

} // namespace pgshift::emulator
