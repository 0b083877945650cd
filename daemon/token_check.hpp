// Does Heroku accept our API token? Asked with the free GET /account/rate-limits.
#pragma once

#include "heroku/client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::daemon {

enum class token_verdict {
    unknown,  // not asked yet, or Heroku could not be reached: not a rejection
    accepted, // the last answer was a 2xx
    rejected, // the last answer was a 401
};

struct token_check_options {
    std::chrono::milliseconds fresh_for{std::chrono::seconds(60)};  // an answer is reused this long
    std::chrono::milliseconds first_retry{std::chrono::seconds(1)}; // start-up, unreachable
    std::chrono::milliseconds max_retry{std::chrono::minutes(1)};
};

// Loop thread only. The client and the executor's context outlive it; it outlives every
// coroutine it spawned that is still running (they are dropped with the context).
class token_check {
public:
    using logger = std::function<void(std::string_view line)>;

    // origin names where the token was read ("$HEROKU_API_KEY", "token file /etc/…"); never
    // the token itself.
    token_check(boost::asio::any_io_executor ex, heroku::client& client, std::string origin,
                logger log, token_check_options opts = {});

    // At start-up: asks now, and again with backoff while Heroku cannot be reached (that is
    // logged as what it is, not as a rejection). Never blocks the daemon's start.
    void start();

    // Before accepting an upgrade: the last answer if it is fresh; otherwise one request,
    // shared by every caller waiting meanwhile, waited for at most `patience`.
    boost::asio::awaitable<token_verdict> verdict(std::chrono::milliseconds patience);

    token_verdict last() const noexcept { return last_; }
    const boost::asio::any_io_executor& executor() const noexcept { return ex_; }
    // "Heroku rejected the API token (from <origin>)" while the last answer was a 401.
    std::optional<std::string> rejection() const;

private:
    boost::asio::awaitable<void> ask();
    boost::asio::awaitable<void> keep_asking();
    bool fresh() const;

    boost::asio::any_io_executor ex_;
    heroku::client& client_;
    std::string origin_;
    logger log_;
    token_check_options opts_;
    token_verdict last_ = token_verdict::unknown;
    std::chrono::steady_clock::time_point answered_at_{};
    bool asking_ = false;
    std::string last_problem_; // the last unreachable description, logged once per change
    std::vector<std::weak_ptr<boost::asio::steady_timer>> waiting_;
};

} // namespace pgshift::daemon
