// The emulator as one HTTP handler: Request-Id, auth, rate limit, faults, then the routes.
#include "emulator/service.hpp"

#include "emulator/http_reply.hpp"
#include "emulator/ids.hpp"

namespace pgshift::emulator {

namespace {

// The caller's Request-Id header is a comma-joined list, newest first (the CLI prepends):
// echo its first id, or mint one.
std::string request_id(const http::request& req) {
    auto h = std::string(req.header_value("Request-Id").value_or(""));
    h = h.substr(0, h.find(','));
    const auto b = h.find_first_not_of(' ');
    const auto e = h.find_last_not_of(' ');
    return b == std::string::npos ? make_uuid() : h.substr(b, e - b + 1);
}

const char* fault_error_id(int status) {
    switch (status) {
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 422:
        return "invalid_params";
    case 423:
        return "locked";
    case 429:
        return "rate_limit";
    case 503:
        return "service_unavailable";
    default:
        return status >= 500 ? "internal_server_error" : "bad_request";
    }
}

} // namespace

service::service(service_options opts)
    : opts_(std::move(opts))
    , world_(opts_.clock, opts_.host, opts_.state_dir)
    , faults_(opts_.fault_seed)
    , auth_(opts_.tokens)
    , ctx_{world_, faults_, limiter_, requests_, opts_.clock, opts_.page_size} {
    add_platform_routes(heroku_, ctx_);
    add_addon_routes(heroku_, ctx_);
    add_data_routes(heroku_, ctx_);
    add_control_routes(control_, ctx_);
}

http::response service::handle(http::request& req) {
    const auto id = request_id(req);
    // The control surface is for tests on loopback: no token, no budget, no faults.
    const bool control = req.path.rfind("/_emulator/", 0) == 0;
    bool charged = false;
    auto res = control ? control_.dispatch(req) : serve_heroku(req, charged);
    if (!control) {
        requests_.add(ctx_.clock(), req.method, req.path, res.reset ? 0 : res.status, charged);
    }
    // One place for every Data API error (routes, auth, budget, faults, unknown paths).
    if (is_data_api_path(req.path)) {
        as_data_api_error(res);
    }
    res.with_header("Request-Id", id);
    return res;
}

http::response service::serve_heroku(http::request& req, bool& charged) {
    const auto token = auth_.check(req);
    if (!token) {
        return reply_error({401, "unauthorized", "Invalid credentials provided.", {}});
    }
    // Heroku does not charge for reading the budget itself.
    const bool free = req.path == "/account/rate-limits";
    const auto verdict = free
                             ? rate_limiter::verdict{true, limiter_.remaining(*token, ctx_.clock())}
                             : limiter_.take(*token, ctx_.clock());
    const auto remaining = std::to_string(verdict.remaining);
    if (!verdict.allowed) {
        auto res = reply_error({429,
                                "rate_limit",
                                "Your account reached the API rate limit\n"
                                "Please wait a few minutes before making new "
                                "requests",
                                {}});
        res.with_header("RateLimit-Remaining", remaining);
        return res;
    }
    charged = !free;
    const auto effect = faults_.on_request(req.method, req.path);
    http::response res;
    if (effect.reset) {
        res.reset = true;
        return res;
    }
    if (effect.status) {
        res = reply_error(
            {*effect.status, fault_error_id(*effect.status), "Injected by heroku-emulator.", {}});
    } else {
        res = heroku_.dispatch(req);
        // The request took effect; only the answer is spoiled. Error answers stay as they
        // are: a client must still see Heroku's no as a no.
        if (effect.garbage && res.status >= 200 && res.status < 300 && !res.on_stream) {
            res.body = garbage_of(*effect.garbage, res.body);
        }
    }
    res.delay += effect.latency;
    res.with_header("RateLimit-Remaining", remaining);
    return res;
}

} // namespace pgshift::emulator
