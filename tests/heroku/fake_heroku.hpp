// A fake Heroku on loopback (the api/ server core) and a client, on one io_context.
#pragma once

#include "api/http_server.hpp"
#include "api/router.hpp"
#include "heroku/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgshift::testing {

namespace net = boost::asio;

// Server and client share one thread, as in the daemon: run() drives the loop until the
// client coroutine finishes. Handlers are registered on routes before start().
class fake_heroku {
public:
    http::router routes;
    std::vector<http::request> seen; // every request the server answered, in order
    std::vector<std::string> log;    // the client's log lines

    ~fake_heroku();
    void start(http::server_options options = {});
    std::uint16_t port() const { return server_->port(); }
    std::string base() const; // "http://127.0.0.1:PORT"

    // Fast retries and a short deadline, so failure tests stay quick.
    heroku::client_options options() const;
    heroku::client& make_client(heroku::client_options opts);
    heroku::client& make_client() { return make_client(options()); }

    std::set<std::uint16_t> client_ports() const; // one per connection the server accepted

    template<class T>
    T run(net::awaitable<T> task, std::chrono::seconds limit = std::chrono::seconds(20));

    net::io_context io;

private:
    std::optional<http::server> server_;
    std::unique_ptr<heroku::client> client_;
};

template<class T>
T fake_heroku::run(net::awaitable<T> task, std::chrono::seconds limit) {
    // Shared with the coroutine, which may outlive this call when it times out.
    struct state {
        std::optional<T> out;
        std::exception_ptr failure;
        bool finished = false;
    };
    auto st = std::make_shared<state>();
    // Wrapped so that T (an outcome) need not be default-constructible, as co_spawn's
    // completion handler would require.
    auto wrapper = [](net::awaitable<T> t, std::shared_ptr<state> s) -> net::awaitable<void> {
        s->out.emplace(co_await std::move(t));
    };
    net::co_spawn(io, wrapper(std::move(task), st), [st](std::exception_ptr e) {
        st->failure = e;
        st->finished = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!st->finished && std::chrono::steady_clock::now() < deadline) {
        io.run_one_for(std::chrono::milliseconds(100));
    }
    if (st->failure) {
        std::rethrow_exception(st->failure);
    }
    if (!st->out) {
        throw std::runtime_error("fake_heroku::run: the call did not finish in time");
    }
    return std::move(*st->out);
}

} // namespace pgshift::testing
