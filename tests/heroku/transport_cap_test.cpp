// The transport's per-origin connection cap against a loopback server that counts sockets.
#include "heroku/api_error.hpp"
#include "heroku/transport.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::heroku {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// Answers every request after `delay` on a kept-alive connection, except by target:
// "/hang…" is never answered, "/drop…" closes the socket unanswered, "/close-after…" is
// answered and then the socket closed (a server ending an idle keep-alive, unannounced).
// Counts the sockets it holds open: a socket is counted from its accept until the server
// closes it or reads the client's close.
class counting_server {
public:
    explicit counting_server(net::io_context& io)
        : io_(io)
        , acceptor_(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
        net::co_spawn(io_, accept_loop(), net::detached);
    }
    ~counting_server() { *alive_ = false; }

    base_url base() const {
        return parse_base_url("http://127.0.0.1:" +
                              std::to_string(acceptor_.local_endpoint().port()))
            .value();
    }

    int open = 0;
    int max_open = 0;
    int accepted = 0;
    std::vector<std::string> targets; // in arrival order
    std::chrono::milliseconds delay{5};

private:
    net::awaitable<void> accept_loop() {
        auto alive = alive_;
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(use_tuple);
            if (ec || !*alive) {
                co_return;
            }
            net::co_spawn(io_, session(std::move(sock), alive), net::detached);
        }
    }

    net::awaitable<void> session(tcp::socket sock, std::shared_ptr<bool> alive) {
        ++open;
        ++accepted;
        max_open = std::max(max_open, open);
        beast::tcp_stream stream(std::move(sock));
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request<bhttp::string_body> req;
            auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, use_tuple);
            if (ec || !*alive) {
                break;
            }
            std::string target(req.target());
            targets.push_back(target);
            if (starts_with(target, "/hang")) {
                continue;
            }
            if (starts_with(target, "/drop")) {
                break;
            }
            net::steady_timer timer(io_, delay);
            co_await timer.async_wait(use_tuple);
            if (!*alive) {
                break;
            }
            bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
            res.body() = target;
            res.keep_alive(true);
            res.prepare_payload();
            auto [write_ec, written] = co_await bhttp::async_write(stream, res, use_tuple);
            if (write_ec || starts_with(target, "/close-after")) {
                break;
            }
        }
        beast::error_code ignored;
        stream.socket().close(ignored);
        if (*alive) {
            --open;
        }
    }

    net::io_context& io_;
    tcp::acceptor acceptor_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

wire_request get(std::string target) {
    wire_request r;
    r.method = "GET";
    r.target = std::move(target);
    return r;
}

wire_request post(std::string target) {
    wire_request r;
    r.method = "POST";
    r.target = std::move(target);
    r.body = "{}";
    r.idempotent = false;
    return r;
}

transport_options options(std::size_t cap, std::chrono::milliseconds timeout = 5s) {
    transport_options o;
    o.timeout = timeout;
    o.max_connections_per_origin = cap;
    return o;
}

struct fixture {
    net::io_context io;
    counting_server server{io};
    const base_url base = server.base(); // async_exchange keeps a reference to it
    std::optional<transport> wire;
    std::vector<std::optional<wire_result>> results;
    std::vector<std::size_t> finish_order; // indices into results, as they completed

    explicit fixture(transport_options o) { wire.emplace(io.get_executor(), std::move(o)); }
    ~fixture() {
        wire.reset();
        io.run_for(20ms); // sessions see the closes
    }

    std::size_t spawn(wire_request req) {
        const auto i = results.size();
        results.emplace_back();
        net::co_spawn(io, wire->async_exchange(base, std::move(req)),
                      [this, i](std::exception_ptr e, wire_result r) {
                          if (e) {
                              std::rethrow_exception(e);
                          }
                          results[i] = std::move(r);
                          finish_order.push_back(i);
                      });
        return i;
    }

    // Spawns an exchange raced against a timer of `after`: the exchange is cancelled then.
    std::size_t spawn_cancelled(wire_request req, std::chrono::milliseconds after) {
        const auto i = results.size();
        results.emplace_back();
        auto race = [](transport& t, base_url base, wire_request r,
                       std::chrono::milliseconds d) -> net::awaitable<wire_result> {
            using namespace net::experimental::awaitable_operators;
            net::steady_timer timer(co_await net::this_coro::executor, d);
            auto exchange = t.async_exchange(base, std::move(r));
            auto won = co_await (std::move(exchange) || timer.async_wait(net::use_awaitable));
            if (won.index() == 0) {
                co_return std::move(std::get<0>(won));
            }
            co_return wire_failure{failure_kind::final, error_ids::cancelled, "raced out"};
        };
        net::co_spawn(io, race(*wire, base, std::move(req), after),
                      [this, i](std::exception_ptr e, wire_result r) {
                          if (e) {
                              std::rethrow_exception(e);
                          }
                          results[i] = std::move(r);
                          finish_order.push_back(i);
                      });
        return i;
    }

    bool done(std::size_t i) const { return results[i].has_value(); }
    bool all_done() const {
        return std::all_of(results.begin(), results.end(),
                           [](const auto& r) { return r.has_value(); });
    }

    // Runs the loop until pred holds (or 20 s pass: a failure, reported by the caller).
    bool run_until(const std::function<bool()>& pred) {
        const auto limit = std::chrono::steady_clock::now() + 20s;
        while (!pred() && std::chrono::steady_clock::now() < limit) {
            io.run_one_for(20ms);
        }
        return pred();
    }

    int status(std::size_t i) const {
        const auto* res = std::get_if<wire_response>(&*results[i]);
        return res ? res->status : 0;
    }
    const wire_failure* failed(std::size_t i) const {
        return std::get_if<wire_failure>(&*results[i]);
    }
    std::size_t open() const { return wire->open_connections(base.origin()); }
    std::size_t waiting() const { return wire->waiting(base.origin()); }
};

TEST(heroku_transport_cap, the_default_cap_is_16) {
    EXPECT_EQ(transport_options{}.max_connections_per_origin, 16u);
}

// Reads only: none of them closes a connection before the last one is open, so the server's
// count (which sees a close only when it reads it) is exact.
TEST(heroku_transport_cap, two_hundred_concurrent_exchanges_never_open_more_than_the_cap) {
    fixture f(options(16));
    std::size_t peak_client = 0;
    std::size_t peak_waiting = 0;
    for (int i = 0; i < 200; ++i) {
        f.spawn(get("/read/" + std::to_string(i)));
    }
    ASSERT_TRUE(f.run_until([&] {
        peak_client = std::max(peak_client, f.open());
        peak_waiting = std::max(peak_waiting, f.waiting());
        return f.all_done();
    }));
    for (std::size_t i = 0; i < f.results.size(); ++i) {
        ASSERT_EQ(f.status(i), 200) << i << ": " << (f.failed(i) ? f.failed(i)->message : "");
    }
    EXPECT_EQ(f.server.targets.size(), 200u);
    EXPECT_LE(f.server.max_open, 16) << "sockets the server held open at once";
    EXPECT_LE(peak_client, 16u);
    EXPECT_GT(peak_waiting, 0u) << "the burst had to wait";
    EXPECT_EQ(f.waiting(), 0u);
    EXPECT_LE(f.open(), 8u) << "what is left open is the idle pool";
}

// Creates among them: each closes a pooled connection and opens its own in the same place,
// which the server may see in either order, so the count is the client's, after every event.
TEST(heroku_transport_cap, creates_among_two_hundred_exchanges_stay_under_the_cap) {
    fixture f(options(16));
    std::size_t peak_client = 0;
    for (int i = 0; i < 200; ++i) {
        const auto target = "/call/" + std::to_string(i);
        f.spawn(i % 5 == 4 ? post(target) : get(target));
    }
    ASSERT_TRUE(f.run_until([&] {
        peak_client = std::max(peak_client, f.open());
        return f.all_done();
    }));
    for (std::size_t i = 0; i < f.results.size(); ++i) {
        ASSERT_EQ(f.status(i), 200) << i << ": " << (f.failed(i) ? f.failed(i)->message : "");
    }
    EXPECT_LE(peak_client, 16u);
    EXPECT_LE(f.server.max_open, 17) << "at most one close not yet read by the server";
    EXPECT_GE(f.server.accepted, 40) << "every create had its own connection";
    EXPECT_EQ(f.waiting(), 0u);
}

TEST(heroku_transport_cap, waiters_are_served_in_order) {
    fixture f(options(1));
    f.server.delay = 50ms; // the first holds the only connection while the rest line up
    std::vector<std::string> expected;
    for (int i = 0; i < 8; ++i) {
        auto target = "/call/" + std::to_string(i);
        f.spawn(i % 3 == 1 ? post(target) : get(target)); // creates wait in the same line
        expected.push_back(target);
    }
    std::size_t peak_client = 0;
    ASSERT_TRUE(f.run_until([&] {
        peak_client = std::max(peak_client, f.open());
        return f.all_done();
    }));
    EXPECT_EQ(f.server.targets, expected);
    EXPECT_EQ(f.finish_order, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(peak_client, 1u);
}

TEST(heroku_transport_cap, a_failed_exchange_frees_its_place_for_a_waiter) {
    fixture f(options(1));
    const auto dropped = f.spawn(post("/drop")); // the server closes it unanswered
    const auto next = f.spawn(get("/after-drop"));
    ASSERT_TRUE(f.run_until([&] { return f.all_done(); }));
    ASSERT_NE(f.failed(dropped), nullptr);
    EXPECT_EQ(f.failed(dropped)->id, error_ids::network) << f.failed(dropped)->message;
    EXPECT_EQ(f.status(next), 200);
    EXPECT_EQ(f.server.accepted, 2);
    EXPECT_EQ(f.server.max_open, 1);
    EXPECT_EQ(f.open(), 1u) << "the GET's connection, idle";
}

TEST(heroku_transport_cap, a_connect_failure_frees_its_place) {
    net::io_context io;
    // A port nobody listens on: bind one, read it, close it.
    tcp::acceptor probe(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    const auto port = probe.local_endpoint().port();
    probe.close();
    transport wire(io.get_executor(), options(1));
    const auto base = parse_base_url("http://127.0.0.1:" + std::to_string(port)).value();
    std::vector<wire_result> results;
    for (int i = 0; i < 3; ++i) {
        net::co_spawn(io, wire.async_exchange(base, get("/x")),
                      [&](std::exception_ptr e, wire_result r) {
                          if (e) {
                              std::rethrow_exception(e);
                          }
                          results.push_back(std::move(r));
                      });
    }
    io.run_for(5s);
    ASSERT_EQ(results.size(), 3u) << "each got the place in turn";
    for (const auto& r : results) {
        const auto* failed = std::get_if<wire_failure>(&r);
        ASSERT_NE(failed, nullptr);
        EXPECT_EQ(failed->kind, failure_kind::not_sent);
    }
    EXPECT_EQ(wire.open_connections(base.origin()), 0u);
    EXPECT_EQ(wire.waiting(base.origin()), 0u);
}

TEST(heroku_transport_cap, a_failed_tls_handshake_frees_its_place) {
    fixture f(options(1));
    // HTTPS to the plain server: it reads the ClientHello as a bad request and closes.
    const auto tls = parse_base_url("https://127.0.0.1:" + f.base.port).value();
    std::vector<wire_result> results;
    for (int i = 0; i < 3; ++i) {
        net::co_spawn(f.io, f.wire->async_exchange(tls, get("/x")),
                      [&](std::exception_ptr e, wire_result r) {
                          if (e) {
                              std::rethrow_exception(e);
                          }
                          results.push_back(std::move(r));
                      });
    }
    ASSERT_TRUE(f.run_until([&] { return results.size() == 3; })) << "each got the place in turn";
    for (const auto& r : results) {
        ASSERT_TRUE(std::holds_alternative<wire_failure>(r));
    }
    EXPECT_EQ(f.server.accepted, 3);
    EXPECT_EQ(f.wire->open_connections(tls.origin()), 0u);
    EXPECT_EQ(f.wire->waiting(tls.origin()), 0u);
}

TEST(heroku_transport_cap, a_timed_out_exchange_frees_its_place) {
    fixture f(options(1, 400ms));
    const auto hung = f.spawn(get("/hang"));
    ASSERT_TRUE(f.run_until([&] { return f.server.targets.size() == 1; }));
    // Well after the hung one, so that its own deadline leaves it time once it has the place.
    const auto later = std::chrono::steady_clock::now() + 200ms;
    f.run_until([&] { return std::chrono::steady_clock::now() >= later; });
    ASSERT_FALSE(f.done(hung));
    const auto next = f.spawn(get("/after-hang")); // waits for the hung one's place
    ASSERT_TRUE(f.run_until([&] { return f.all_done(); }));
    ASSERT_NE(f.failed(hung), nullptr);
    EXPECT_EQ(f.failed(hung)->id, error_ids::timeout) << f.failed(hung)->message;
    EXPECT_EQ(f.status(next), 200) << (f.failed(next) ? f.failed(next)->message : "");
    EXPECT_EQ(f.open(), 1u);
    EXPECT_EQ(f.waiting(), 0u);
}

// The queued call's deadline comes (a hair after the hung one's) while it waits or just as
// it gets the place: either way it fails as a timeout and keeps no place.
TEST(heroku_transport_cap, a_waiter_behind_a_hung_exchange_times_out_without_keeping_a_place) {
    fixture f(options(1, 300ms));
    const auto hung = f.spawn(get("/hang"));
    const auto queued = f.spawn(get("/hang-queued"));
    ASSERT_TRUE(f.run_until([&] { return f.all_done(); }));
    ASSERT_NE(f.failed(hung), nullptr);
    EXPECT_EQ(f.failed(hung)->id, error_ids::timeout);
    ASSERT_NE(f.failed(queued), nullptr);
    EXPECT_EQ(f.failed(queued)->id, error_ids::timeout) << f.failed(queued)->message;
    EXPECT_EQ(f.open(), 0u) << "no place kept by either";
    EXPECT_EQ(f.waiting(), 0u);
    const auto later = f.spawn(get("/later"));
    ASSERT_TRUE(f.run_until([&] { return f.done(later); }));
    EXPECT_EQ(f.status(later), 200);
    EXPECT_EQ(f.server.targets.back(), "/later");
}

TEST(heroku_transport_cap, cancelled_exchanges_free_their_places_and_leave_the_line) {
    fixture f(options(1));
    const auto holder = f.spawn_cancelled(get("/hang"), 300ms);  // holds the connection
    const auto waiter = f.spawn_cancelled(get("/never"), 100ms); // cancelled in line
    ASSERT_TRUE(f.run_until([&] { return f.done(waiter); }));
    EXPECT_EQ(f.waiting(), 0u) << "the cancelled caller left the line";
    EXPECT_EQ(f.open(), 1u);
    const auto next = f.spawn(get("/next")); // waits for the holder's cancellation
    ASSERT_TRUE(f.run_until([&] { return f.all_done(); }));
    EXPECT_NE(f.failed(holder), nullptr);
    EXPECT_EQ(f.status(next), 200) << (f.failed(next) ? f.failed(next)->message : "");
    EXPECT_EQ(f.server.targets, (std::vector<std::string>{"/hang", "/next"}));
    EXPECT_EQ(f.open(), 1u);
    EXPECT_EQ(f.waiting(), 0u);
}

TEST(heroku_transport_cap, a_create_at_the_cap_replaces_an_idle_connection) {
    fixture f(options(2));
    f.spawn(get("/a"));
    f.spawn(get("/b"));
    ASSERT_TRUE(f.run_until([&] { return f.all_done(); }));
    ASSERT_EQ(f.open(), 2u) << "both idle";
    const auto create = f.spawn(post("/create"));
    ASSERT_TRUE(f.run_until([&] { return f.done(create); }));
    EXPECT_EQ(f.status(create), 200) << "a create needs a fresh connection, not a wait";
    EXPECT_EQ(f.wire->connections_opened(), 3u);
    EXPECT_EQ(f.open(), 2u);
}

TEST(heroku_transport_cap, the_stale_keep_alive_resend_reuses_the_place) {
    fixture f(options(1));
    const auto first = f.spawn(get("/close-after")); // answered, then the server closes
    ASSERT_TRUE(f.run_until([&] { return f.done(first) && f.server.open == 0; }));
    ASSERT_EQ(f.open(), 1u) << "pooled: the client has not noticed the close";
    const auto resent = f.spawn(get("/again"));
    ASSERT_TRUE(f.run_until([&] { return f.done(resent); }));
    EXPECT_EQ(f.status(resent), 200) << (f.failed(resent) ? f.failed(resent)->message : "");
    EXPECT_EQ(f.wire->connections_opened(), 2u);
    EXPECT_EQ(f.open(), 1u);
}

} // namespace
} // namespace pgshift::heroku
