// The Heroku client's shared state (private to heroku/client*.cpp): the token, the two base
// URLs, the transport, the rate budget and what is set aside of it for urgent calls.
#pragma once

#include "heroku/client.hpp"
#include "heroku/transport.hpp"
#include "heroku/url.hpp"

#include <boost/uuid/random_generator.hpp>
#include <chrono>
#include <random>

namespace pgshift::heroku {

struct client::impl {
    using clock_type = std::chrono::steady_clock;
    using milliseconds = std::chrono::milliseconds;

    net::any_io_executor executor;
    secret_token token;
    client_options opts;
    base_url platform;
    base_url data;
    transport wire;
    rate_budget budget;
    double reserved = 0;    // tokens set aside over every budget_share
    int urgent_waiting = 0; // urgent calls waiting for a token: ordinary ones wait behind
    std::mt19937_64 random{std::random_device{}()};
    boost::uuids::random_generator uuids;

    impl(net::any_io_executor ex, secret_token t, client_options o);

    double jitter() { return std::uniform_real_distribution<double>(0.0, 1.0)(random); }
    void log(std::string_view line) const {
        if (opts.log) {
            opts.log(line);
        }
    }
    wire_request build(const call_spec& spec, const base_url& base,
                       const std::string& request_id) const;
    void log_attempt(const call_spec& spec, const wire_result& result, const std::string& rid,
                     milliseconds took, int attempt, const api_error* unreadable) const;
    net::awaitable<bool> async_sleep(milliseconds d);
    net::awaitable<std::optional<rate_budget::ticket>> async_take_token(bool counted,
                                                                        budget_share* share);
    struct verdict_input;
    verdict_input judge(wire_result& result, const call_spec& spec, rate_budget::ticket ticket,
                        const std::string& rid, clock_type::time_point now);
};

} // namespace pgshift::heroku
