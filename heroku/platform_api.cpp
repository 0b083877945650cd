// Platform API requests: apps, formation, add-ons, attachments, config vars, releases.
#include "heroku/platform_api.hpp"

#include "heroku/call_helpers.hpp"
#include "heroku/parse.hpp"
#include "heroku/url.hpp"

#include <algorithm>

namespace pgshift::heroku {

using detail::async_parsed;
using detail::async_parsed_array;
using detail::async_parsed_list;

namespace {

std::string app_path(const std::string& app) {
    return "/apps/" + encode_segment(app);
}

call_spec get(std::string path) {
    call_spec spec;
    spec.path = std::move(path);
    return spec;
}

call_spec with_body(std::string method, std::string path, std::string body, bool idempotent) {
    return call_spec{.host = api_host::platform,
                     .method = std::move(method),
                     .path = std::move(path),
                     .body = std::move(body),
                     .headers = {},
                     .idempotent = idempotent};
}

} // namespace

net::awaitable<outcome<app_info>> async_get_app(client& c, std::string app) {
    co_return co_await async_parsed<app_info>(c, get(app_path(app)), parse_app);
}

net::awaitable<outcome<app_info>> async_set_maintenance(client& c, std::string app, bool on) {
    auto spec = with_body("PATCH", app_path(app), maintenance_body(on), true);
    spec.read_back = app_path(app);
    co_return co_await async_parsed<app_info>(c, std::move(spec), parse_app);
}

net::awaitable<outcome<std::vector<formation_entry>>> async_list_formation(client& c,
                                                                           std::string app) {
    co_return co_await async_parsed_list<formation_entry>(c, get(app_path(app) + "/formation"),
                                                          parse_formation);
}

net::awaitable<outcome<std::vector<formation_entry>>>
async_scale_formation(client& c, std::string app, std::vector<formation_update> updates) {
    // Setting absolute quantities is idempotent, so this PATCH may be retried.
    auto spec = with_body("PATCH", app_path(app) + "/formation", formation_body(updates), true);
    // Scaling is a side effect on the ledger of the app: an unreadable answer is read back.
    spec.read_back = app_path(app) + "/formation";
    // The answer lists every process type just scaled: one that lacks any did not parse as
    // this answer (a `[]` is not "no dynos"), and is read back like any unreadable one.
    auto parse = [types = updates](std::string_view body) -> outcome<std::vector<formation_entry>> {
        auto parsed = parse_formation(body);
        for (const auto& u : types) {
            if (parsed && std::none_of(parsed->begin(), parsed->end(),
                                       [&](const auto& e) { return e.type == u.type; })) {
                return detail::invalid_response("the formation lacks process type " + u.type);
            }
        }
        return parsed;
    };
    co_return co_await async_parsed<std::vector<formation_entry>>(c, std::move(spec), parse);
}

net::awaitable<outcome<std::vector<attachment>>> async_list_attachments(client& c,
                                                                        std::string app) {
    // No Accept-Inclusion: the CLI sends it only with version=3.sdk, and under plain v3 Heroku
    // may ignore it. Nothing here needs the plan; the add-on itself carries it.
    co_return co_await async_parsed_list<attachment>(c, get(app_path(app) + "/addon-attachments"),
                                                     parse_attachments);
}

net::awaitable<outcome<attachment>> async_create_attachment(client& c,
                                                            attachment_create_request request) {
    auto spec = with_body("POST", "/addon-attachments", attachment_create_body(request), false);
    co_return co_await async_parsed<attachment>(c, std::move(spec), parse_attachment);
}

net::awaitable<outcome<addon>> async_create_addon(client& c, std::string app,
                                                  addon_create_request request) {
    auto spec = with_body("POST", app_path(app) + "/addons", addon_create_body(request), false);
    spec.headers.emplace_back("Accept-Expansion", "plan");
    co_return co_await async_parsed<addon>(c, std::move(spec), parse_addon);
}

net::awaitable<outcome<addon>> async_get_addon(client& c, std::string app, std::string name_or_id) {
    auto spec = get(app_path(app) + "/addons/" + encode_segment(name_or_id));
    spec.headers.emplace_back("Accept-Expansion", "addon_service,plan");
    co_return co_await async_parsed<addon>(c, std::move(spec), parse_addon);
}

net::awaitable<outcome<std::vector<addon>>> async_list_addons(client& c, std::string app) {
    co_return co_await async_parsed_list<addon>(c, get(app_path(app) + "/addons"), parse_addons);
}

net::awaitable<outcome<addon>> async_destroy_addon(client& c, std::string app_id,
                                                   std::string addon_id) {
    // A repeated DELETE of the same add-on id cannot destroy anything else: idempotent.
    auto spec = with_body("DELETE", app_path(app_id) + "/addons/" + encode_segment(addon_id),
                          addon_destroy_body(), true);
    spec.read_back = app_path(app_id) + "/addons/" + encode_segment(addon_id);
    spec.headers.emplace_back("Accept-Expansion", "plan");
    co_return co_await async_parsed<addon>(c, std::move(spec), parse_addon);
}

net::awaitable<outcome<config_vars>> async_get_config_vars(client& c, std::string app) {
    co_return co_await async_parsed<config_vars>(c, get(app_path(app) + "/config-vars"),
                                                 parse_config_vars);
}

net::awaitable<outcome<std::vector<release>>> async_list_releases(client& c, std::string app,
                                                                  int max) {
    // One page on purpose (the CLI's "partial"): the newest few are all pg:promote needs.
    auto spec = get(app_path(app) + "/releases");
    spec.headers.emplace_back("Range", "version ..; max=" + std::to_string(max) + ", order=desc");
    co_return co_await async_parsed_array<release>(c, std::move(spec), parse_releases);
}

net::awaitable<outcome<std::vector<release>>>
async_list_releases_after(client& c, std::string app, std::int64_t version, int max) {
    auto spec = get(app_path(app) + "/releases");
    spec.headers.emplace_back("Range", "version ]" + std::to_string(version) +
                                           "..; max=" + std::to_string(max));
    co_return co_await async_parsed_array<release>(c, std::move(spec), parse_releases);
}

net::awaitable<outcome<release>> async_get_release(client& c, std::string app,
                                                   std::string id_or_version) {
    auto spec = get(app_path(app) + "/releases/" + encode_segment(id_or_version));
    co_return co_await async_parsed<release>(c, std::move(spec), parse_release);
}

net::awaitable<outcome<rate_limits>> async_get_rate_limits(client& c) {
    auto spec = get("/account/rate-limits");
    spec.uses_budget = false;
    co_return co_await async_parsed<rate_limits>(c, std::move(spec), parse_rate_limits);
}

} // namespace pgshift::heroku
