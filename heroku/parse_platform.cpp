// Parsers for Platform API answers: app, formation, add-ons, attachments, releases.
#include "heroku/json_fields.hpp"
#include "heroku/parse.hpp"

namespace pgshift::heroku {

using detail::json_fields;

namespace {

app_ref read_app_ref(json_fields f) {
    return {.id = f.str("id"), .name = f.str("name")};
}

app_info read_app(json_fields& f) {
    return {.id = f.str("id"), .name = f.str("name"), .maintenance = f.boolean("maintenance")};
}

formation_entry read_formation(json_fields& f) {
    formation_entry e;
    e.type = f.str("type");
    e.quantity = static_cast<int>(f.int64("quantity"));
    // "size" is deprecated in the schema; dyno_size.name is its successor.
    if (auto size = f.opt_str("size")) {
        e.size = std::move(*size);
    } else if (auto dyno = f.opt_object("dyno_size")) {
        e.size = dyno->opt_str("name").value_or("");
    }
    return e;
}

addon read_addon(json_fields& f) {
    addon a;
    a.id = f.str("id");
    a.name = f.str("name");
    a.state = f.str("state");
    a.app = read_app_ref(f.object("app"));
    a.plan_name = f.object("plan").str("name");
    a.config_vars = f.strings("config_vars", false);
    return a;
}

attachment read_attachment(json_fields& f) {
    attachment a;
    a.id = f.str("id");
    a.name = f.str("name");
    a.name_space = f.opt_str("namespace");
    auto addon_fields = f.object("addon");
    a.addon.id = addon_fields.str("id");
    a.addon.name = addon_fields.str("name");
    a.addon.app = read_app_ref(addon_fields.object("app"));
    // Only an inclusion (Accept-Inclusion under version=3.sdk) embeds the plan: plain v3
    // answers, and the POST /addon-attachments answer, carry none.
    if (auto plan = addon_fields.opt_object("plan")) {
        a.addon.plan_name = plan->str("name");
    }
    if (auto app = f.opt_object("app")) {
        a.app = read_app_ref(*app);
    }
    return a;
}

release read_release(json_fields& f) {
    return {.id = f.str("id"),
            .version = f.int64("version"),
            .status = f.str("status"),
            .description = f.opt_str("description").value_or(""),
            .created_at = f.opt_time("created_at"),
            .output_stream_url = f.opt_str("output_stream_url"),
            .current = f.opt_bool("current").value_or(false)};
}

} // namespace

outcome<app_info> parse_app(std::string_view body) {
    return detail::parse_object<app_info>(body, read_app);
}

outcome<std::vector<formation_entry>> parse_formation(std::string_view body) {
    return detail::parse_array<formation_entry>(body, read_formation);
}

outcome<addon> parse_addon(std::string_view body) {
    return detail::parse_object<addon>(body, read_addon);
}

outcome<std::vector<addon>> parse_addons(std::string_view body) {
    return detail::parse_array<addon>(body, read_addon);
}

outcome<attachment> parse_attachment(std::string_view body) {
    return detail::parse_object<attachment>(body, read_attachment);
}

outcome<std::vector<attachment>> parse_attachments(std::string_view body) {
    return detail::parse_array<attachment>(body, read_attachment);
}

outcome<config_vars> parse_config_vars(std::string_view body) {
    const auto json = detail::parse_json(body);
    if (json.is_discarded() || !json.is_object()) {
        return detail::invalid_response("config vars must be a JSON object");
    }
    config_vars out;
    for (const auto& [key, value] : json.items()) {
        if (value.is_null()) {
            continue; // a var being unset; nothing to read
        }
        if (!value.is_string()) {
            return detail::invalid_response("field \"" + key + "\" must be a string");
        }
        out.emplace(key, value.get<std::string>());
    }
    return out;
}

outcome<release> parse_release(std::string_view body) {
    return detail::parse_object<release>(body, read_release);
}

outcome<std::vector<release>> parse_releases(std::string_view body) {
    return detail::parse_array<release>(body, read_release);
}

outcome<rate_limits> parse_rate_limits(std::string_view body) {
    return detail::parse_object<rate_limits>(
        body, [](json_fields& f) { return rate_limits{.remaining = f.int64("remaining")}; });
}

std::optional<error_body> parse_error_body(std::string_view body) {
    const auto json = detail::parse_json(body);
    if (json.is_discarded() || !json.is_object()) {
        return std::nullopt;
    }
    const auto id = json.find("id");
    const auto message = json.find("message");
    if (message != json.end() && message->is_string()) {
        return error_body{.id = id != json.end() && id->is_string() ? id->get<std::string>() : "",
                          .message = message->get<std::string>()};
    }
    // The Data API's own shape, {"error": "not found"}: no id, the text under "error".
    const auto error = json.find("error");
    if (error != json.end() && error->is_string()) {
        return error_body{.id = "", .message = error->get<std::string>()};
    }
    return std::nullopt;
}

} // namespace pgshift::heroku
