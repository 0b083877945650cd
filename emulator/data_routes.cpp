// Data API routes (/client/v11): database info, wait_status, backups, restores, transfers.
#include "emulator/http_reply.hpp"
#include "emulator/ids.hpp"
#include "emulator/json_codec.hpp"
#include "emulator/routes.hpp"

#include <algorithm>

namespace pgshift::emulator {

namespace {

using http::request;
using http::response;
using nlohmann::json;

constexpr std::string_view v11 = "/client/v11";

std::string route(std::string_view tail) {
    return std::string(v11) + std::string(tail);
}

bool verbose(const request& req) {
    const auto v = req.query_value("verbose");
    return v && (*v == "true" || *v == "1");
}

transfer_fault transfer_fault_for(route_context& ctx, const request& req) {
    if (ctx.faults.fire(req.method, req.path, fault_kind::transfer_stall)) {
        return transfer_fault::stall;
    }
    if (ctx.faults.fire(req.method, req.path, fault_kind::transfer_fail)) {
        return transfer_fault::fail;
    }
    return transfer_fault::none;
}

response restore(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    const auto url = string_field(*body, "backup_url");
    if (!url || url->empty()) {
        return reply_error(invalid("backup_url is required"));
    }
    std::vector<std::string> extensions;
    if (auto it = body->find("extensions"); it != body->end() && !it->is_null()) {
        const bool strings =
            it->is_array() &&
            std::all_of(it->begin(), it->end(), [](const json& e) { return e.is_string(); });
        if (!strings) {
            return reply_error(invalid("extensions must be an array of strings"));
        }
        extensions = it->get<std::vector<std::string>>();
    }
    const auto fault = transfer_fault_for(ctx, req);
    return reply_with(ctx.w.restore(param(req, "database"), *url, std::move(extensions), fault),
                      201, [](const transfer_view& v) { return to_json(v, false); });
}

response public_url(route_context& ctx, request& req) {
    auto t = ctx.w.find_transfer(param(req, "app"), param(req, "transfer"));
    if (!t) {
        return reply_error(t.err());
    }
    const auto& rec = t->record;
    if (rec.kind != transfer_kind::backup || !rec.succeeded || rec.deleted_at) {
        return reply_error(invalid("Only a finished, succeeded backup has a download URL."));
    }
    const auto expires = ctx.clock() + std::chrono::minutes(10);
    return reply(200, {{"url", rec.to_url + "?X-Amz-Expires=600&X-Amz-Signature=emulated"},
                       {"expires_at", iso8601(expires)}});
}

} // namespace

void add_data_routes(http::router& r, route_context& ctx) {
    r.add("GET", route("/databases/{database}"), [&ctx](request& req) {
        return reply_with(ctx.w.database(param(req, "database")), 200,
                          [](const database_view& v) { return to_json(v); });
    });
    r.add("GET", route("/databases/{database}/wait_status"), [&ctx](request& req) {
        return reply_with(ctx.w.database_wait_status(param(req, "database")), 200,
                          [](const wait_status& w) { return to_json(w); });
    });
    r.add("POST", route("/databases/{database}/backups"), [&ctx](request& req) {
        const auto fault = transfer_fault_for(ctx, req);
        return reply_with(ctx.w.capture(param(req, "database"), fault), 201,
                          [](const transfer_view& v) { return to_json(v, false); });
    });
    r.add("POST", route("/databases/{database}/restores"),
          [&ctx](request& req) { return restore(ctx, req); });
    r.add("GET", route("/apps/{app}/transfers"), [&ctx](request& req) {
        auto all = ctx.w.transfers(param(req, "app"));
        if (!all) {
            return reply_error(all.err());
        }
        json items = json::array();
        for (const auto& t : all.value()) {
            items.push_back(to_json(t, verbose(req)));
        }
        return reply(200, items); // the Data API does not page (our reading)
    });
    r.add("GET", route("/apps/{app}/transfers/{transfer}"), [&ctx](request& req) {
        return reply_with(ctx.w.find_transfer(param(req, "app"), param(req, "transfer")), 200,
                          [&](const transfer_view& v) { return to_json(v, verbose(req)); });
    });
    r.add("POST", route("/apps/{app}/transfers/{transfer}/actions/cancel"), [&ctx](request& req) {
        return reply_with(ctx.w.cancel_transfer(param(req, "app"), param(req, "transfer")), 200,
                          [](const transfer_view& v) { return to_json(v, false); });
    });
    r.add("DELETE", route("/apps/{app}/transfers/{transfer}"), [&ctx](request& req) {
        return reply_with(ctx.w.delete_transfer(param(req, "app"), param(req, "transfer")), 200,
                          [](const transfer_view& v) { return to_json(v, false); });
    });
    r.add("POST", route("/apps/{app}/transfers/{transfer}/actions/public-url"),
          [&ctx](request& req) { return public_url(ctx, req); });
}

} // namespace pgshift::emulator
