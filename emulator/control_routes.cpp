// The /_emulator control surface: seeds, timings, budget, faults, ledger, requests, reset.
#include "emulator/catalog.hpp"
#include "emulator/formation_spec.hpp"
#include "emulator/http_reply.hpp"
#include "emulator/json_codec.hpp"
#include "emulator/routes.hpp"

namespace pgshift::emulator {

namespace {

using http::request;
using http::response;
using nlohmann::json;

std::optional<std::string> read_seed(const json& b, seed_request& r) {
    r.name = string_field(b, "name").value_or("");
    r.plan = string_field(b, "plan").value_or(r.plan);
    r.postgres_version = string_field(b, "postgres_version").value_or(r.postgres_version);
    r.sql = string_field(b, "sql").value_or("");
    if (auto it = b.find("database_of"); it != b.end()) {
        if (!it->is_string() || it->get<std::string>().empty()) {
            return "database_of must name an existing app";
        }
        r.database_of = it->get<std::string>();
    }
    r.pooler = bool_or(b, "pooler", false);
    if (auto it = b.find("release_phase"); it != b.end() && !it->is_null()) {
        if (it->is_boolean()) {
            r.release_phase = it->get<bool>();
        } else if (*it == "fail") {
            r.release_phase = r.release_phase_fails = true;
        } else {
            return "release_phase must be true, false or \"fail\"";
        }
    }
    if (auto it = b.find("size_bytes"); it != b.end() && it->is_number_integer()) {
        r.size_bytes = it->get<std::int64_t>();
    }
    if (auto it = b.find("formation"); it != b.end()) {
        auto parsed = it->is_string() ? parse_formation(it->get<std::string>()) : std::nullopt;
        if (!parsed) {
            return "formation must read like \"web=2 worker=3 release=0\"";
        }
        r.formation = std::move(*parsed);
    }
    // Seeds obey the catalog too, so a test cannot start from a database Heroku never has.
    auto plan = check_plan(r.plan);
    if (!plan) {
        return plan.err().message;
    }
    r.plan = plan.value();
    if (auto version = check_version(r.plan, r.postgres_version); !version) {
        return version.err().message;
    }
    return r.name.empty() ? std::optional<std::string>("name is required") : std::nullopt;
}

response seed(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    seed_request r;
    if (auto problem = read_seed(*body, r)) {
        return reply_error(invalid(*problem));
    }
    auto db = ctx.w.seed_app(r);
    if (!db) {
        return reply_error(db.err());
    }
    auto a = ctx.w.find_app(r.name);
    return reply(201, {{"app", to_json(a.value())},
                       {"addon", to_json(db.value())},
                       {"database_url", db->record.resource_url}});
}

json timings_json(const timings& t) {
    return {{"provisioning_ms", t.provisioning.count()},
            {"wait_status_404_ms", t.wait_status_404.count()},
            {"waiting_ms", t.waiting.count()},
            {"transfer_pending_ms", t.transfer_pending.count()},
            {"release_phase_ms", t.release_phase.count()},
            {"throughput_bytes_per_s", t.throughput_bytes_per_s},
            {"simulated_size_bytes", t.simulated_size_bytes}};
}

response set_timings(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    auto t = ctx.w.get_timings();
    const auto ms = [&](const char* key, millis& field) {
        if (auto it = body->find(key); it != body->end() && it->is_number() && *it >= 0) {
            field = millis(it->get<std::int64_t>());
        }
    };
    ms("provisioning_ms", t.provisioning);
    ms("wait_status_404_ms", t.wait_status_404);
    ms("waiting_ms", t.waiting);
    ms("transfer_pending_ms", t.transfer_pending);
    ms("release_phase_ms", t.release_phase);
    if (auto it = body->find("throughput_bytes_per_s"); it != body->end() && it->is_number()) {
        t.throughput_bytes_per_s = std::max(1.0, it->get<double>());
    }
    if (auto it = body->find("simulated_size_bytes"); it != body->end() && it->is_number()) {
        t.simulated_size_bytes = std::max<std::int64_t>(0, it->get<std::int64_t>());
    }
    ctx.w.set_timings(t);
    return reply(200, timings_json(t));
}

json rule_json(const fault_rule& f) {
    return {{"id", f.id},
            {"method", f.method},
            {"route", f.route},
            {"kind", to_string(f.kind)},
            {"status", f.status},
            {"probability", f.probability},
            {"first_n", f.first_n ? json(*f.first_n) : json(nullptr)},
            {"latency_ms", f.latency.count()},
            {"matched", f.matched},
            {"fired", f.fired}};
}

response add_fault(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    fault_rule f;
    const auto kind = parse_fault_kind(string_field(*body, "kind").value_or(""));
    f.route = string_field(*body, "route").value_or("");
    if (!kind || f.route.empty() || f.route.front() != '/') {
        return reply_error(
            invalid("a fault needs a route (\"/apps/{app}\") and a kind: status, "
                    "latency, reset, transfer_stall, transfer_fail, provision_fail, garbage"));
    }
    f.kind = *kind;
    f.method = string_field(*body, "method").value_or("*");
    f.status = number_or(*body, "status", 503);
    f.probability = number_or(*body, "probability", 1.0);
    if (auto it = body->find("first_n"); it != body->end() && it->is_number_integer()) {
        f.first_n = it->get<int>();
    }
    f.latency = millis(number_or<std::int64_t>(*body, "latency_ms", 0));
    f.id = ctx.faults.add(f);
    return reply(201, rule_json(f));
}

response set_release_phase(route_context& ctx, request& req) {
    auto body = body_object(req);
    if (!body) {
        return bad_body();
    }
    const auto mode = string_field(*body, "mode").value_or("");
    std::optional<release_phase_mode> parsed;
    if (mode == "none") {
        parsed = release_phase_mode::none;
    } else if (mode == "succeed") {
        parsed = release_phase_mode::succeed;
    } else if (mode == "fail") {
        parsed = release_phase_mode::fail;
    }
    if (!parsed) {
        return reply_error(invalid("mode must be \"succeed\", \"fail\" or \"none\""));
    }
    return reply_with(ctx.w.set_release_phase(param(req, "app"), *parsed), 200, [&](const app& a) {
        return json{{"app", to_json(a)}, {"mode", mode}};
    });
}

// The request log after `after` (a seq), with the counts of every request answered.
response requests_json(route_context& ctx, request& req) {
    std::int64_t after = 0;
    if (auto a = req.query_value("after")) {
        const std::string text(*a);
        const auto digits = text.find_first_not_of("0123456789") == std::string::npos;
        if (text.empty() || !digits || text.size() > 18) {
            return reply_error(invalid("after must be a request seq (a whole number)"));
        }
        after = std::stoll(text);
    }
    const auto s = ctx.requests.read(after);
    json by_status = json::object();
    for (const auto& [status, n] : s.by_status) {
        by_status[std::to_string(status)] = n;
    }
    json items = json::array();
    for (const auto& e : s.entries) {
        const auto ms = std::chrono::duration_cast<millis>(e.at.time_since_epoch()).count();
        items.push_back({{"seq", e.seq},
                         {"at_ms", ms},
                         {"method", e.method},
                         {"path", e.path},
                         {"status", e.status},
                         {"charged", e.charged}});
    }
    return reply(200, {{"total", s.total},
                       {"charged", s.charged},
                       {"dropped", s.dropped},
                       {"by_status", by_status},
                       {"requests", items}});
}

} // namespace

void add_control_routes(http::router& r, route_context& ctx) {
    r.add("POST", "/_emulator/apps", [&ctx](request& req) { return seed(ctx, req); });
    r.add("PUT", "/_emulator/apps/{app}/release-phase",
          [&ctx](request& req) { return set_release_phase(ctx, req); });
    r.add("GET", "/_emulator/timings",
          [&ctx](request&) { return reply(200, timings_json(ctx.w.get_timings())); });
    r.add("PUT", "/_emulator/timings", [&ctx](request& req) { return set_timings(ctx, req); });
    r.add("GET", "/_emulator/rate-limit", [&ctx](request&) {
        return reply(200, {{"capacity", ctx.limiter.capacity()},
                           {"refill_per_minute", ctx.limiter.refill_per_minute()}});
    });
    r.add("PUT", "/_emulator/rate-limit", [&ctx](request& req) {
        auto body = body_object(req);
        if (!body) {
            return bad_body();
        }
        ctx.limiter.configure(
            number_or(*body, "capacity", ctx.limiter.capacity()),
            number_or(*body, "refill_per_minute", ctx.limiter.refill_per_minute()));
        return reply(200, {{"capacity", ctx.limiter.capacity()},
                           {"refill_per_minute", ctx.limiter.refill_per_minute()}});
    });
    r.add("GET", "/_emulator/faults", [&ctx](request&) {
        json items = json::array();
        for (const auto& f : ctx.faults.list()) {
            items.push_back(rule_json(f));
        }
        return reply(200, items);
    });
    r.add("POST", "/_emulator/faults", [&ctx](request& req) { return add_fault(ctx, req); });
    r.add("DELETE", "/_emulator/faults", [&ctx](request&) {
        ctx.faults.clear();
        return reply(200, json::array());
    });
    r.add("DELETE", "/_emulator/faults/{id}", [&ctx](request& req) {
        return ctx.faults.remove(param(req, "id"))
                   ? reply(200, json::object())
                   : reply_error(not_found("fault", "No such fault."));
    });
    r.add("GET", "/_emulator/ledger", [&ctx](request&) {
        json items = json::array();
        for (const auto& e : ctx.w.ledger()) {
            items.push_back(to_json(e));
        }
        return reply(200, items);
    });
    r.add("GET", "/_emulator/requests", [&ctx](request& req) { return requests_json(ctx, req); });
    r.add("POST", "/_emulator/reset", [&ctx](request&) {
        ctx.w.reset();
        ctx.requests.clear();
        ctx.faults.clear();
        ctx.limiter.configure(4500, 75);
        return reply(200, json::object());
    });
}

} // namespace pgshift::emulator
