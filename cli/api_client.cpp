// The control API as the CLI uses it: authenticated calls, error bodies, ID resolution.
#include "cli/api_client.hpp"

#include "cli/errors.hpp"
#include "cli/terminal_text.hpp"

#include <nlohmann/json.hpp>
#include <regex>

namespace pgshift::cli {
namespace {

using nlohmann::json;

std::string reason_of(int status) {
    switch (status) {
    case 400:
        return "bad request";
    case 401:
        return "unauthorized: check --token-file";
    case 404:
        return "not found";
    case 409:
        return "conflict";
    case 500:
        return "internal error";
    case 503:
        return "unavailable";
    default:
        return "the API answered HTTP " + std::to_string(status);
    }
}

[[noreturn]] void throw_refusal(const http_reply& reply) {
    const auto body = json::parse(reply.body, nullptr, false);
    std::string id;
    std::string message;
    if (body.is_object()) {
        if (const auto it = body.find("id"); it != body.end() && it->is_string()) {
            id = it->get<std::string>();
        }
        if (const auto it = body.find("message"); it != body.end() && it->is_string()) {
            message = it->get<std::string>();
        }
        const auto named = body.find("upgrade_id");
        if (named != body.end() && named->is_string() &&
            message.find(named->get<std::string>()) == std::string::npos) {
            message += " (upgrade " + named->get<std::string>() + ")";
        }
    }
    if (message.empty()) {
        message = reason_of(reply.status);
    }
    // The message may quote Heroku: printed on a terminal, it must not drive it.
    throw api_error(reply.status, terminal_text(id), terminal_text(message));
}

bool looks_like_app(const std::string& text) {
    static const std::regex app_name("^[a-z][a-z0-9-]{1,29}$");
    return std::regex_match(text, app_name);
}

} // namespace

http_reply api_client::call(http_call c) {
    if (options_.token) {
        c.headers.emplace_back("Authorization", "Bearer " + *options_.token);
    }
    auto reply = send_request(options_.endpoint, c, options_.timeout);
    if (reply.status < 200 || reply.status > 299) {
        throw_refusal(reply);
    }
    return reply;
}

std::string api_client::resolve(const std::string& id_or_app) {
    // Upgrade ids are UUIDs (36 characters), which no app name (at most 30) can be.
    if (!looks_like_app(id_or_app)) {
        return id_or_app;
    }
    const auto page =
        parse_body(get("/v1/upgrades?app=" + encode_component(id_or_app) + "&limit=1"));
    const auto list = page.is_object() ? page.find("upgrades") : page.end();
    if (list != page.end() && list->is_array() && !list->empty()) {
        if (const auto u = decode_upgrade(list->front())) {
            return u->id;
        }
    }
    // No upgrade of that app: it may still be an id of another shape.
    try {
        return upgrade_of(get(upgrade_path(id_or_app))).id;
    } catch (const api_error& e) {
        if (e.status() == 404) {
            throw api_error(404, "not_found",
                            "no upgrade of an app named \"" + id_or_app + "\" nor with that id");
        }
        throw;
    }
}

std::string api_client::resolve_app(const std::string& app) {
    const auto page = parse_body(get("/v1/upgrades?app=" + encode_component(app) + "&limit=1"));
    const auto list = page.is_object() ? page.find("upgrades") : page.end();
    if (list != page.end() && list->is_array() && !list->empty()) {
        if (const auto u = decode_upgrade(list->front())) {
            return u->id;
        }
    }
    throw api_error(404, "not_found", "no upgrade of an app named \"" + app + "\"");
}

json parse_body(const http_reply& reply) {
    auto body = json::parse(reply.body, nullptr, false);
    if (body.is_discarded()) {
        throw api_error(reply.status, "bad_response",
                        "pgshiftd answered with a body that is not JSON");
    }
    return body;
}

upgrade_view upgrade_of(const http_reply& reply) {
    auto u = decode_upgrade(parse_body(reply));
    if (!u) {
        throw api_error(reply.status, "bad_response", "pgshiftd answered without an upgrade");
    }
    return std::move(*u);
}

std::string encode_component(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string upgrade_path(const std::string& id, std::string_view suffix) {
    return "/v1/upgrades/" + encode_component(id) + std::string(suffix);
}

} // namespace pgshift::cli
