// Does Heroku accept our API token? Asked with the free GET /account/rate-limits.
#include "daemon/token_check.hpp"

#include "heroku/platform_api.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgshift::daemon {

namespace net = boost::asio;

token_check::token_check(net::any_io_executor ex, heroku::client& client, std::string origin,
                         logger log, token_check_options opts)
    : ex_(std::move(ex))
    , client_(client)
    , origin_(std::move(origin))
    , log_(std::move(log))
    , opts_(opts) {}

std::optional<std::string> token_check::rejection() const {
    if (last_ != token_verdict::rejected) {
        return std::nullopt;
    }
    return "Heroku rejected the API token (from " + origin_ + ")";
}

bool token_check::fresh() const {
    return last_ != token_verdict::unknown &&
           std::chrono::steady_clock::now() - answered_at_ < opts_.fresh_for;
}

void token_check::start() {
    net::co_spawn(ex_, keep_asking(), net::detached);
}

net::awaitable<void> token_check::keep_asking() {
    auto delay = opts_.first_retry;
    net::steady_timer timer(ex_);
    // Until Heroku answers one way or the other; an answer, once had, is kept fresh by the
    // checks before each start.
    while (last_ == token_verdict::unknown) {
        if (!asking_) {
            asking_ = true;
            co_await ask();
            if (last_ != token_verdict::unknown) {
                break;
            }
        }
        timer.expires_after(delay);
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        delay = std::min(delay * 2, opts_.max_retry);
    }
}

net::awaitable<token_verdict> token_check::verdict(std::chrono::milliseconds patience) {
    if (fresh()) {
        co_return last_;
    }
    auto timer = std::make_shared<net::steady_timer>(ex_, patience);
    waiting_.push_back(timer);
    if (!asking_) {
        asking_ = true; // before the spawn: a burst of starts shares this one request
        net::co_spawn(ex_, ask(), net::detached);
    }
    co_await timer->async_wait(net::as_tuple(net::use_awaitable));
    co_return last_; // no answer within patience: the last one Heroku gave, if any
}

// Sets asking_ back; the caller set it.
net::awaitable<void> token_check::ask() {
    auto answer = co_await heroku::async_get_rate_limits(client_);
    asking_ = false;
    if (answer) {
        if (last_ != token_verdict::accepted) {
            log_("<6>pgshiftd: Heroku accepts the API token (from " + origin_ + ")");
        }
        last_ = token_verdict::accepted;
        answered_at_ = std::chrono::steady_clock::now();
        last_problem_.clear();
    } else if (answer.err().status == 401) {
        const bool news = last_ != token_verdict::rejected;
        last_ = token_verdict::rejected;
        answered_at_ = std::chrono::steady_clock::now();
        if (news) {
            log_("<3>pgshiftd: " + *rejection() + ": " + heroku::describe(answer.err()) +
                 "; no upgrade can start until it is replaced");
        }
        last_problem_.clear();
    } else {
        // Network trouble, a 5xx, an answer that does not parse: Heroku did not say no.
        std::string problem = heroku::describe(answer.err());
        if (problem != last_problem_) {
            log_("<4>pgshiftd: cannot tell whether Heroku accepts the API token (from " + origin_ +
                 "): " + problem + "; that is not a rejection, asking again");
        }
        last_problem_ = std::move(problem);
    }
    for (auto& w : waiting_) {
        if (auto t = w.lock()) {
            t->cancel();
        }
    }
    waiting_.clear();
}

} // namespace pgshift::daemon
