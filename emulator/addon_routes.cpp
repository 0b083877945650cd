// Platform API routes for add-ons and attachments: create, destroy, resolve, promote.
#include "emulator/http_reply.hpp"
#include "emulator/json_codec.hpp"
#include "emulator/pagination.hpp"
#include "emulator/routes.hpp"

namespace pgshift::emulator {

namespace {

using http::request;
using http::response;
using nlohmann::json;

template<class T>
response list_reply(const outcome<std::vector<T>>& o, const request& req, std::size_t page) {
    if (!o) {
        return reply_error(o.err());
    }
    json items = json::array();
    for (const auto& v : o.value()) {
        items.push_back(to_json(v));
    }
    return paged_reply(std::move(items), req, "id", page);
}

// `config` values arrive as strings, or as true/numbers when the CLI parsed them.
std::optional<std::map<std::string, std::string>> read_config(const json& body) {
    std::map<std::string, std::string> out;
    auto it = body.find("config");
    if (it == body.end() || it->is_null()) {
        return out;
    }
    if (!it->is_object()) {
        return std::nullopt;
    }
    for (const auto& [k, v] : it->items()) {
        out[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
    return out;
}

response create_addon(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    addon_request r;
    r.plan = name_or_id(*body, "plan").value_or("");
    auto config = read_config(*body);
    if (r.plan.empty() || !config) {
        return reply_error(
            invalid(r.plan.empty() ? "plan is required" : "config must be an object"));
    }
    r.config = std::move(*config);
    if (auto it = body->find("attachment"); it != body->end() && it->is_object()) {
        r.attachment_name = string_field(*it, "name");
    }
    r.name = string_field(*body, "name");
    r.confirm = string_field(*body, "confirm");
    r.fail_provisioning = ctx.faults.fire(req.method, req.path, fault_kind::provision_fail);
    auto created = ctx.w.create_addon(param(req, "app"), r);
    // Asynchronous provisioning answers 202, a finished one 201 (our reading of Heroku).
    const int status = created && created->state == addon_state::provisioning ? 202 : 201;
    return reply_with(created, status, [](const addon_view& v) { return to_json(v); });
}

response attach(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    attachment_request r;
    r.addon = name_or_id(*body, "addon").value_or("");
    r.app = name_or_id(*body, "app").value_or("");
    if (r.addon.empty() || r.app.empty()) {
        return reply_error(invalid("addon and app are required"));
    }
    r.name = string_field(*body, "name");
    r.namespace_ = string_field(*body, "namespace"); // null and absent both mean no namespace
    r.confirm = string_field(*body, "confirm");
    return reply_with(ctx.w.attach(r), 201, [](const attachment_view& v) { return to_json(v); });
}

std::optional<std::string_view> optional_app(const json& body, std::string& holder) {
    auto app = name_or_id(body, "app");
    if (!app) {
        return std::nullopt;
    }
    holder = *app;
    return holder;
}

// The resolvers answer arrays; an addon_service other than ours matches nothing.
template<class F>
response resolve(request& req, std::string_view field, F&& lookup) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    const auto key = name_or_id(*body, field);
    if (!key) {
        return reply_error(invalid(std::string(field) + " is required"));
    }
    const auto service = name_or_id(*body, "addon_service");
    if (service && *service != "heroku-postgresql") {
        return reply_error(not_found("add_on", "Couldn't find that add-on."));
    }
    std::string app;
    auto found = lookup(optional_app(*body, app), *key);
    if (!found) {
        return reply_error(found.err());
    }
    json items = json::array();
    for (const auto& v : found.value()) {
        items.push_back(to_json(v));
    }
    return reply(200, items);
}

// DELETE's optional body {"force": true}; anything unreadable means no force.
bool force_of(const request& req) {
    auto body = body_object(req);
    return body && bool_or(*body, "force", false);
}

json addon_json(const addon_view& v) {
    return to_json(v);
}

void add_addon_only_routes(http::router& r, route_context& ctx) {
    r.add("POST", "/apps/{app}/addons", [&ctx](request& req) { return create_addon(ctx, req); });
    r.add("GET", "/apps/{app}/addons", [&ctx](request& req) {
        return list_reply(ctx.w.addons(param(req, "app")), req, ctx.page_size);
    });
    r.add("GET", "/apps/{app}/addons/{addon}", [&ctx](request& req) {
        return reply_with(ctx.w.find_addon(param(req, "app"), param(req, "addon")), 200,
                          addon_json);
    });
    r.add("DELETE", "/apps/{app}/addons/{addon}", [&ctx](request& req) {
        return reply_with(
            ctx.w.destroy_addon(param(req, "app"), param(req, "addon"), force_of(req)), 200,
            addon_json);
    });
    r.add("GET", "/addons", [&ctx](request& req) {
        return list_reply(ctx.w.addons(std::nullopt), req, ctx.page_size);
    });
    r.add("GET", "/addons/{addon}", [&ctx](request& req) {
        return reply_with(ctx.w.find_addon(std::nullopt, param(req, "addon")), 200, addon_json);
    });
    r.add("DELETE", "/addons/{addon}", [&ctx](request& req) {
        return reply_with(ctx.w.destroy_addon(std::nullopt, param(req, "addon"), force_of(req)),
                          200, addon_json);
    });
}

// The catalog: Platform API plan objects, paged like every list.
void add_plan_routes(http::router& r, route_context& ctx) {
    const auto plans = [] {
        json items = json::array();
        for (const auto& p : postgres_plans()) {
            items.push_back(to_json(p));
        }
        return items;
    };
    r.add("GET", "/addon-services/heroku-postgresql/plans",
          [&ctx, plans](request& req) { return paged_reply(plans(), req, "id", ctx.page_size); });
    r.add("GET", "/addon-services/heroku-postgresql/plans/{plan}", [plans](request& req) {
        const auto key = param(req, "plan");
        for (const auto& p : plans()) {
            if (p["id"] == key || p["name"] == key || p["name"] == "heroku-postgresql:" + key) {
                return reply(200, p);
            }
        }
        return reply_error(not_found("plan", "Couldn't find that plan."));
    });
}

void add_attachment_routes(http::router& r, route_context& ctx) {
    r.add("GET", "/addons/{addon}/addon-attachments", [&ctx](request& req) {
        auto ad = ctx.w.find_addon(std::nullopt, param(req, "addon"));
        if (!ad) {
            return reply_error(ad.err());
        }
        auto all = ctx.w.attachments(std::nullopt);
        std::erase_if(all.value(),
                      [&](const attachment_view& v) { return v.record.addon_id != ad->record.id; });
        return list_reply(all, req, ctx.page_size);
    });
    r.add("GET", "/apps/{app}/addon-attachments", [&ctx](request& req) {
        return list_reply(ctx.w.attachments(param(req, "app")), req, ctx.page_size);
    });
    r.add("GET", "/apps/{app}/addon-attachments/{attachment}", [&ctx](request& req) {
        return reply_with(ctx.w.find_attachment(param(req, "app"), param(req, "attachment")), 200,
                          [](const attachment_view& v) { return to_json(v); });
    });
    r.add("GET", "/addon-attachments", [&ctx](request& req) {
        return list_reply(ctx.w.attachments(std::nullopt), req, ctx.page_size);
    });
    r.add("GET", "/addon-attachments/{attachment}", [&ctx](request& req) {
        return reply_with(ctx.w.find_attachment(std::nullopt, param(req, "attachment")), 200,
                          [](const attachment_view& v) { return to_json(v); });
    });
    r.add("POST", "/addon-attachments", [&ctx](request& req) { return attach(ctx, req); });
    r.add("DELETE", "/addon-attachments/{attachment}", [&ctx](request& req) {
        return reply_with(ctx.w.detach(param(req, "attachment")), 200,
                          [](const attachment_view& v) { return to_json(v); });
    });
    r.add("POST", "/actions/addon-attachments/resolve", [&ctx](request& req) {
        return resolve(req, "addon_attachment", [&ctx](auto app, std::string_view key) {
            return ctx.w.resolve_attachment(app, key);
        });
    });
    r.add("POST", "/actions/addons/resolve", [&ctx](request& req) {
        return resolve(req, "addon", [&ctx](auto app, std::string_view key) {
            return ctx.w.resolve_addon(app, key);
        });
    });
}

} // namespace

void add_addon_routes(http::router& r, route_context& ctx) {
    add_addon_only_routes(r, ctx);
    add_attachment_routes(r, ctx);
    add_plan_routes(r, ctx);
}

} // namespace pgshift::emulator
