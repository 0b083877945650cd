// The Heroku API client: headers, retries, the per-token rate budget, paging, logging.
#pragma once

#include "heroku/api_error.hpp"
#include "heroku/rate_budget.hpp"
#include "heroku/retry.hpp"
#include "heroku/secret_token.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshift::heroku {

namespace net = boost::asio;

struct client_options {
    std::string platform_base = "https://api.heroku.com";
    std::string data_base = "https://api.data.heroku.com";
    std::optional<std::string> ca_file; // PEM; unset: the system CAs
    std::chrono::seconds timeout{60};   // per request, as the CLI
    std::size_t body_limit = 16 * 1024 * 1024;
    int max_pages = 50; // a list longer than this many 206 pages is an error
    retry_options retry;
    rate_budget::options rate;
    // One line per request (journald priority prefix, no token, no body). Unset: silent.
    std::function<void(std::string_view line)> log;
    // Every attempt's outcome, for metrics: the HTTP status, or 0 when no answer came back.
    std::function<void(int status)> observe;
};

enum class api_host { platform, data };

struct api_answer {
    int status = 0;
    std::string body;
    std::optional<std::string> next_range; // from a 206
    std::string request_id;                // ours
    std::string heroku_request_id;
};

// One logical request; async_call adds Accept, Authorization, User-Agent, Request-Id and
// Content-Type.
struct call_spec {
    api_host host = api_host::platform;
    std::string method = "GET";
    std::string path;                // segments already encoded (encode_segment); may carry a query
    std::optional<std::string> body; // JSON
    std::vector<std::pair<std::string, std::string>> headers; // Range, Accept-Inclusion, ...
    bool idempotent = true;  // false: never re-sent once it may have reached Heroku
    bool uses_budget = true; // false only for GET /account/rate-limits, which is free
    // Reads a 2xx answer (call_helpers.hpp parses it here); an error means the body is not
    // what this call expects. Such an answer is not Heroku saying no: it is handled like a
    // 5xx, except that the request did take effect. Unset: every 2xx is accepted.
    std::function<std::optional<api_error>(const api_answer&)> accept{};
    // For a write whose 2xx answer was not accepted: GET this path (same answer shape)
    // instead of sending the write again. Unset: an idempotent write is sent again.
    std::optional<std::string> read_back{};
};

// Tokens of the rate budget set aside for one upgrade whose app is down (docs/design.md,
// "Downtime first"): its calls go before every ordinary call, and ordinary calls leave the
// tokens of every share alone.
struct budget_share {
    double left = 0;       // tokens still set aside
    std::int64_t used = 0; // calls made through it (each attempt, each page)
};

// One per token: every upgrade of the daemon shares it, hence its rate budget. Use from the
// executor's single thread; it must outlive every call in flight.
class client {
public:
    // Throws std::invalid_argument for an unparsable base URL, std::runtime_error when the CA
    // file cannot be loaded.
    client(net::any_io_executor executor, secret_token token, client_options opts);
    // A handle on base's connections and budget whose calls are urgent: they draw on
    // `share` first and go before every ordinary call. base and share outlive it.
    client(client& base, budget_share& share);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // Sends spec with retries (retry.hpp) and a token from the budget per attempt. A 2xx that
    // spec.accept takes is the answer; anything else an api_error (outcome_unknown set when a
    // non-idempotent request may have taken effect, or did but its answer was unreadable: the
    // caller looks before sending it again). Never throws for network or Heroku trouble.
    net::awaitable<outcome<api_answer>> async_call(call_spec spec);
    // A GET list: follows 206 + Next-Range (each page a retried call) up to max_pages.
    net::awaitable<outcome<std::vector<api_answer>>> async_call_pages(call_spec spec);

    const rate_budget& budget() const;
    // Sets n more tokens aside for share (they are taken from what ordinary calls may use);
    // release gives back what is left of it. Tokens set aside over every share:
    void reserve(budget_share& share, double n);
    void release(budget_share& share);
    double reserved() const;
    // Requests the budget would allow right now (after refill): the metrics gauge.
    double budget_available();
    std::size_t connections_opened() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
    budget_share* share_ = nullptr; // set on an urgent handle
};

} // namespace pgshift::heroku
