// Platform API routes: apps and maintenance, formation, config vars, releases, rate limits.
#include "emulator/http_reply.hpp"
#include "emulator/json_codec.hpp"
#include "emulator/pagination.hpp"
#include "emulator/routes.hpp"

#include <charconv>

namespace pgshift::emulator {

namespace {

using http::request;
using http::response;
using nlohmann::json;

// Quantities arrive as numbers (pgshift) or strings, absolute or relative (the CLI: "0", "+1").
bool read_quantity(const json& j, formation_update& u) {
    if (j.is_number_integer()) {
        u.quantity = j.get<int>();
        return true;
    }
    if (!j.is_string()) {
        return false;
    }
    auto text = j.get<std::string>();
    const bool relative = !text.empty() && (text.front() == '+' || text.front() == '-');
    const char* begin = text.data() + (text.front() == '+' ? 1 : 0);
    int n = 0;
    const auto [p, ec] = std::from_chars(begin, text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || p != text.data() + text.size()) {
        return false;
    }
    (relative ? u.delta : u.quantity) = n;
    return true;
}

std::optional<formation_update> read_update(const json& j, std::string type) {
    if (!j.is_object()) {
        return std::nullopt;
    }
    formation_update u;
    u.type = std::move(type);
    if (auto t = string_field(j, "type"); u.type.empty()) {
        u.type = t.value_or("");
    }
    if (j.contains("quantity") && !read_quantity(j["quantity"], u)) {
        return std::nullopt;
    }
    if (auto size = name_or_id(j, "dyno_size")) {
        u.size = size;
    } else if (auto legacy = string_field(j, "size")) {
        u.size = legacy; // deprecated, but the CLI still sends it
    }
    return u.type.empty() ? std::nullopt : std::optional{u};
}

response formation_reply(const outcome<std::vector<dyno_type>>& o, const app_ref& a,
                         const request& req, std::size_t page_size) {
    if (!o) {
        return reply_error(o.err());
    }
    json items = json::array();
    for (const auto& d : o.value()) {
        items.push_back(to_json(d, a));
    }
    return paged_reply(std::move(items), req, "id", page_size);
}

response scale(route_context& ctx, request& req, std::string type) {
    auto body = body_object(req);
    auto a = ctx.w.find_app(param(req, "app"));
    if (!body || !a) {
        return body ? reply_error(a.err()) : bad_body();
    }
    std::vector<formation_update> updates;
    if (type.empty()) {
        auto it = body->find("updates");
        if (it == body->end() || !it->is_array()) {
            return reply_error(invalid("updates must be an array of {type, quantity}"));
        }
        for (const auto& item : *it) {
            auto u = read_update(item, "");
            if (!u) {
                return reply_error(invalid("each update needs a type and a valid quantity"));
            }
            updates.push_back(*u);
        }
    } else if (auto u = read_update(*body, type)) {
        updates.push_back(*u);
    } else {
        return reply_error(invalid("quantity must be an integer"));
    }
    const app_ref ref{a->id, a->name};
    auto result = ctx.w.scale(ref.id, std::move(updates));
    if (!result || !type.empty()) {
        return reply_with(result, 200, [&](const auto& all) {
            for (const auto& d : all) {
                if (d.type == type) {
                    return to_json(d, ref);
                }
            }
            return json::object();
        });
    }
    json items = json::array();
    for (const auto& d : result.value()) {
        items.push_back(to_json(d, ref));
    }
    return reply(200, items);
}

response update_app(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    app_update u;
    if (auto it = body->find("maintenance"); it != body->end()) {
        if (!it->is_boolean()) {
            return reply_error(invalid("maintenance must be true or false"));
        }
        u.maintenance = it->get<bool>();
    }
    u.name = string_field(*body, "name");
    return reply_with(ctx.w.update_app(param(req, "app"), u), 200,
                      [](const app& a) { return to_json(a); });
}

response set_config(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    std::map<std::string, std::optional<std::string>> vars;
    for (const auto& [name, value] : body->items()) {
        if (!value.is_string() && !value.is_null()) {
            return reply_error(invalid("config var " + name + " must be a string or null"));
        }
        vars[name] = value.is_null() ? std::nullopt : std::optional{value.get<std::string>()};
    }
    return reply_with(ctx.w.set_config_vars(param(req, "app"), vars), 200,
                      [](const auto& m) { return json(m); });
}

response list_releases(route_context& ctx, request& req) {
    auto rs = ctx.w.releases(param(req, "app"));
    if (!rs) {
        return reply_error(rs.err());
    }
    json items = json::array();
    for (const auto& r : rs.value()) {
        items.push_back(to_json(r));
    }
    return paged_reply(std::move(items), req, "version", ctx.page_size);
}

std::string bearer(const request& req) {
    const auto h = req.header_value("Authorization").value_or("");
    return std::string(h.size() > 7 ? h.substr(7) : std::string_view{});
}

} // namespace

void add_platform_routes(http::router& r, route_context& ctx) {
    r.add("GET", "/account/rate-limits", [&ctx](request& req) {
        return reply(200, {{"remaining", ctx.limiter.remaining(bearer(req), ctx.clock())}});
    });
    r.add("GET", "/apps", [&ctx](request& req) {
        json items = json::array();
        for (const auto& ref : ctx.w.apps()) {
            if (auto a = ctx.w.find_app(ref.id)) {
                items.push_back(to_json(a.value()));
            }
        }
        return paged_reply(std::move(items), req, "id", ctx.page_size);
    });
    r.add("GET", "/apps/{app}", [&ctx](request& req) {
        return reply_with(ctx.w.find_app(param(req, "app")), 200,
                          [](const app& a) { return to_json(a); });
    });
    r.add("PATCH", "/apps/{app}", [&ctx](request& req) { return update_app(ctx, req); });
    r.add("GET", "/apps/{app}/formation", [&ctx](request& req) {
        auto a = ctx.w.find_app(param(req, "app"));
        if (!a) {
            return reply_error(a.err());
        }
        return formation_reply(ctx.w.formation(a->id), {a->id, a->name}, req, ctx.page_size);
    });
    r.add("PATCH", "/apps/{app}/formation", [&ctx](request& req) { return scale(ctx, req, ""); });
    r.add("GET", "/apps/{app}/formation/{type}", [&ctx](request& req) {
        auto a = ctx.w.find_app(param(req, "app"));
        const auto type = param(req, "type");
        for (const auto& d : a ? a->formation : std::vector<dyno_type>{}) {
            if (d.type == type || d.id == type) {
                return reply(200, to_json(d, {a->id, a->name}));
            }
        }
        return reply_error(a ? not_found("formation", "Couldn't find that process type.")
                             : a.err());
    });
    r.add("PATCH", "/apps/{app}/formation/{type}",
          [&ctx](request& req) { return scale(ctx, req, param(req, "type")); });
    r.add("GET", "/apps/{app}/config-vars", [&ctx](request& req) {
        return reply_with(ctx.w.config_vars(param(req, "app")), 200,
                          [](const auto& m) { return json(m); });
    });
    r.add("PATCH", "/apps/{app}/config-vars",
          [&ctx](request& req) { return set_config(ctx, req); });
    r.add("GET", "/apps/{app}/releases", [&ctx](request& req) { return list_releases(ctx, req); });
    r.add("GET", "/apps/{app}/releases/{release}", [&ctx](request& req) {
        return reply_with(ctx.w.find_release(param(req, "app"), param(req, "release")), 200,
                          [](const release_view& v) { return to_json(v); });
    });
}

} // namespace pgshift::emulator
