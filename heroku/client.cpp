// Heroku client core: request headers, retry loop, rate budget, paging and request logs.
#include "heroku/client.hpp"

#include "heroku/client_impl.hpp"
#include "heroku/parse.hpp"
#include "heroku/transport.hpp"
#include "heroku/url.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/uuid/uuid_generators.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <charconv>
#include <random>
#include <stdexcept>

namespace pgshift::heroku {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr const char* accept_v3 = "application/vnd.heroku+json; version=3";

base_url require_url(const std::string& text, const char* which) {
    auto parsed = parse_base_url(text);
    if (!parsed) {
        throw std::invalid_argument(std::string("heroku client: bad ") + which + " base URL '" +
                                    text + "'");
    }
    return *parsed;
}

std::optional<std::int64_t> parse_remaining(const std::optional<std::string>& text) {
    std::int64_t value = 0;
    if (!text) {
        return std::nullopt;
    }
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size()) {
        return std::nullopt;
    }
    return value;
}

api_error error_from_answer(const wire_response& res) {
    api_error e;
    e.status = res.status;
    if (auto body = parse_error_body(res.body)) {
        e.id = body->id.empty() ? error_ids::http : body->id;
        e.message = body->message;
    } else {
        // The body is not logged or kept: an error page could echo anything.
        e.id = error_ids::http;
        e.message = "HTTP " + std::to_string(res.status) + " without a Heroku error body";
    }
    return e;
}

failure_kind kind_of_status(int status) {
    if (status == 429) {
        return failure_kind::throttled;
    }
    return status >= 500 ? failure_kind::server_error : failure_kind::final;
}

} // namespace

client::impl::impl(net::any_io_executor ex, secret_token t, client_options o)
    : executor(ex)
    , token(std::move(t))
    , opts(std::move(o))
    , platform(require_url(opts.platform_base, "platform"))
    , data(require_url(opts.data_base, "data"))
    , wire(ex, transport_options{.ca_file = opts.ca_file,
                                 .timeout = opts.timeout,
                                 .body_limit = opts.body_limit,
                                 .max_idle_per_origin = 8})
    , budget(opts.rate, clock_type::now()) {}

wire_request client::impl::build(const call_spec& spec, const base_url& base,
                                 const std::string& request_id) const {
    wire_request req{.method = spec.method,
                     .target = base.path_prefix + spec.path,
                     .body = spec.body,
                     .headers = {},
                     .idempotent = spec.idempotent};
    req.headers.push_back({"Accept", accept_v3});
    req.headers.push_back({"Authorization", "Bearer " + token.reveal()});
    req.headers.push_back({"User-Agent", std::string("pgshift/") + PGSHIFT_VERSION});
    req.headers.push_back({"Request-Id", request_id});
    if (spec.body) {
        req.headers.push_back({"Content-Type", "application/json"});
    }
    for (const auto& [name, value] : spec.headers) {
        req.headers.push_back({name, value});
    }
    return req;
}

void client::impl::log_attempt(const call_spec& spec, const wire_result& result,
                               const std::string& rid, milliseconds took, int attempt,
                               const api_error* unreadable) const {
    if (!opts.log) {
        return;
    }
    std::string line;
    if (const auto* res = std::get_if<wire_response>(&result)) {
        const bool trouble = res->status >= 500 || res->status == 429 || unreadable != nullptr;
        line = (trouble ? "<4>" : "<6>") + std::string("heroku: ") + spec.method + " " + spec.path +
               " -> " + std::to_string(res->status);
        if (unreadable != nullptr) {
            line += " unreadable (" + unreadable->message + ")";
        }
        line += " request_id=" + rid;
        line += " heroku_request_id=" + res->header("Request-Id").value_or("-");
    } else {
        const auto& f = std::get<wire_failure>(result);
        line = "<4>heroku: " + spec.method + " " + spec.path + " -> " + f.id + " (" + f.message +
               ") request_id=" + rid;
    }
    line += " duration_ms=" + std::to_string(took.count());
    if (attempt > 1) {
        line += " attempt=" + std::to_string(attempt);
    }
    log(line);
}

net::awaitable<bool> client::impl::async_sleep(milliseconds d) {
    net::steady_timer timer(executor, d);
    const auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    co_return !ec; // operation_aborted: our caller is being cancelled
}

client::client(net::any_io_executor executor, secret_token token, client_options opts)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(token), std::move(opts))) {}

client::client(client& base, budget_share& share)
    : impl_(base.impl_)
    , share_(&share) {}

client::~client() = default;

namespace {

api_error cancelled_error(const std::string& rid) {
    return api_error{.status = 0,
                     .id = error_ids::cancelled,
                     .message = "the call was cancelled",
                     .request_id = rid,
                     .heroku_request_id = {},
                     .outcome_unknown = false};
}

api_error mark_unknown(api_error e, const call_spec& spec) {
    e.outcome_unknown = true;
    if (is_unreadable_answer(e)) {
        e.message = spec.method + " " + spec.path + ": answered " + std::to_string(e.status) +
                    " but the answer did not parse (" + e.message +
                    "); it took effect, so look before sending it again";
        return e;
    }
    e.message = spec.method + " " + spec.path + ": outcome unknown (" + e.message +
                "); it may have taken effect, so look before sending it again";
    return e;
}

// A write whose answer did not parse is not sent again: its resource is read instead.
void switch_to_read_back(call_spec& spec) {
    spec.method = "GET";
    spec.path = *spec.read_back;
    spec.body.reset();
    spec.idempotent = true;
    spec.read_back.reset();
}

// The refusal of an answer's body, with the answer's status and both request ids.
api_error unreadable(api_error e, const api_answer& answer) {
    e.id = error_ids::invalid_response;
    e.status = answer.status;
    e.request_id = answer.request_id;
    e.heroku_request_id = answer.heroku_request_id;
    return e;
}

} // namespace

// The 2xx answer, or the error and what the retry policy needs to judge it.
struct client::impl::verdict_input {
    std::optional<api_answer> answer;
    api_error err;
    retry_input in;
};

client::impl::verdict_input client::impl::judge(wire_result& result, const call_spec& spec,
                                                rate_budget::ticket ticket, const std::string& rid,
                                                clock_type::time_point now) {
    verdict_input out;
    out.in.idempotent = spec.idempotent;
    if (auto* res = std::get_if<wire_response>(&result)) {
        if (opts.observe) {
            opts.observe(res->status);
        }
        budget.on_answer(ticket, parse_remaining(res->header("RateLimit-Remaining")), now);
        auto heroku_rid = res->header("Request-Id").value_or("");
        if (res->status >= 200 && res->status < 300) {
            out.answer = api_answer{.status = res->status,
                                    .body = std::move(res->body),
                                    .next_range = res->header("Next-Range"),
                                    .request_id = rid,
                                    .heroku_request_id = std::move(heroku_rid)};
            return out;
        }
        out.err = error_from_answer(*res);
        out.err.heroku_request_id = std::move(heroku_rid);
        out.in.failure = kind_of_status(res->status);
        if (out.in.failure == failure_kind::throttled) {
            out.in.throttle_hold = budget.on_throttled(ticket, now, jitter());
        }
    } else {
        auto& f = std::get<wire_failure>(result);
        if (opts.observe) {
            opts.observe(0);
        }
        budget.on_no_answer(ticket);
        out.err.id = f.id;
        out.err.message = std::move(f.message);
        out.in.failure = f.kind;
    }
    out.err.request_id = rid;
    out.in.jitter01 = jitter();
    return out;
}

net::awaitable<outcome<api_answer>> client::async_call(call_spec spec) {
    auto& s = *impl_;
    const auto& base = spec.host == api_host::platform ? s.platform : s.data;
    const auto started = clock_type::now();
    for (int attempt = 1;; ++attempt) {
        const auto rid = boost::uuids::to_string(s.uuids());
        const auto ticket = co_await s.async_take_token(spec.uses_budget, share_);
        if (!ticket) {
            co_return cancelled_error(rid);
        }
        const auto sent = clock_type::now();
        auto result = co_await s.wire.async_exchange(base, s.build(spec, base, rid));
        const auto now = clock_type::now();
        auto judged = s.judge(result, spec, *ticket, rid, now);
        if (judged.answer && spec.accept) {
            if (auto refused = spec.accept(*judged.answer)) {
                judged.err = unreadable(std::move(*refused), *judged.answer);
                judged.answer.reset();
                // Like a 5xx: the request reached Heroku and took effect, we cannot read how.
                judged.in.failure = failure_kind::server_error;
                judged.in.jitter01 = s.jitter();
            }
        }
        s.log_attempt(spec, result, rid, duration_cast<milliseconds>(now - sent), attempt,
                      is_unreadable_answer(judged.err) ? &judged.err : nullptr);
        if (judged.answer) {
            co_return std::move(*judged.answer);
        }
        judged.in.attempt = attempt;
        judged.in.elapsed = duration_cast<milliseconds>(now - started);
        const auto verdict = decide_retry(s.opts.retry, judged.in);
        if (verdict.action == retry_action::outcome_unknown) {
            co_return mark_unknown(std::move(judged.err), spec);
        }
        if (verdict.action == retry_action::give_up) {
            co_return std::move(judged.err);
        }
        if (is_unreadable_answer(judged.err) && spec.read_back) {
            switch_to_read_back(spec);
        }
        if (!co_await s.async_sleep(verdict.delay)) {
            co_return cancelled_error(rid);
        }
    }
}

net::awaitable<outcome<std::vector<api_answer>>> client::async_call_pages(call_spec spec) {
    std::vector<api_answer> pages;
    for (int page = 0; page < std::max(1, impl_->opts.max_pages); ++page) {
        auto answer = co_await async_call(spec);
        if (!answer) {
            co_return std::move(answer.err());
        }
        const bool more = answer->status == 206 && answer->next_range.has_value();
        std::optional<std::string> next = answer->next_range;
        pages.push_back(std::move(answer.value()));
        if (!more) {
            co_return pages;
        }
        std::erase_if(spec.headers, [](const auto& h) { return h.first == "Range"; });
        spec.headers.emplace_back("Range", *next);
    }
    api_error e{.status = 206,
                .id = error_ids::too_many_pages,
                .message =
                    spec.path + ": more than " + std::to_string(impl_->opts.max_pages) + " pages",
                .request_id = pages.back().request_id,
                .heroku_request_id = pages.back().heroku_request_id,
                .outcome_unknown = false};
    co_return e;
}

std::size_t client::connections_opened() const {
    return impl_->wire.connections_opened();
}

} // namespace pgshift::heroku
