// Slow clients are shed first: the header timeout, and room at the cap made from connections
// that have not finished their headers, never from streams or requests being answered.
#include "api/http_server.hpp"
#include "tests/api/server_fixture.hpp"
#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <functional>
#include <future>
#include <gtest/gtest.h>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using pgshift::http::request;
using pgshift::http::response;
using pgshift::http::server_options;
using pgshift::http::stream_writer;
using pgshift::testing::http_client;
using pgshift::testing::running_server;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// A raw loopback connection that sends what it is told, as slowly as the test likes.
class raw_connection {
public:
    explicit raw_connection(std::uint16_t port)
        : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        if (fd_ < 0) {
            throw std::runtime_error("socket failed");
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            throw std::runtime_error("connect failed");
        }
    }
    ~raw_connection() { ::close(fd_); }
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;

    // False once the server has closed the connection (the write then fails).
    bool send(std::string_view bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(bytes.size());
    }

    // True when the server closed the connection within `limit` (whatever it sent first is
    // read and dropped).
    bool closed_within(std::chrono::milliseconds limit) {
        const auto until = steady::now() + limit;
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - steady::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() < 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
                return false;
            }
            char scratch[512];
            const auto n = ::recv(fd_, scratch, sizeof scratch, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                return true;
            }
        }
    }

private:
    int fd_;
};

response text(std::string body) {
    response r;
    r.body = std::move(body);
    return r;
}

// Streams "/stream" (kept in `streams`) and answers everything else with "ok".
struct streaming_handler {
    std::mutex mutex;
    std::vector<std::shared_ptr<stream_writer>> streams;

    response operator()(request& req) {
        if (req.path != "/stream") {
            return text("ok");
        }
        response r;
        r.headers.push_back({"Content-Type", "text/event-stream"});
        r.on_stream = [this](std::shared_ptr<stream_writer> w) {
            w->write("data: hello\n\n");
            const std::lock_guard lock{mutex};
            streams.push_back(std::move(w));
        };
        return r;
    }
    std::size_t count() {
        const std::lock_guard lock{mutex};
        return streams.size();
    }
};

// A normal request on a fresh connection, answered within the test's generous deadline.
int normal_request(const running_server& srv) {
    http_client client("127.0.0.1", srv.port());
    client.set_timeout(5s);
    return client.request("GET", "/").status;
}

// 400 local connections that never finish their headers used to fill the cap (256) and
// lock every other client out for the 30 s idle timeout.
TEST(http_server_slow_clients, slowloris_at_the_cap_gives_way_to_a_normal_client) {
    server_options options;
    options.header_timeout = 60s; // only shedding at the cap can make room in this test
    running_server srv([](request&) { return text("ok"); }, options);
    std::vector<std::unique_ptr<raw_connection>> slow;
    for (int i = 0; i < 400; ++i) {
        slow.push_back(std::make_unique<raw_connection>(srv.port()));
        ASSERT_TRUE(slow.back()->send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    }
    EXPECT_EQ(normal_request(srv), 200);
    // Room was made by closing the oldest slow connections: at least 400 - 256 + 1 of them.
    std::size_t closed = 0;
    for (auto& c : slow) {
        closed += c->closed_within(closed < 145 ? 5000ms : 0ms) ? 1 : 0;
    }
    EXPECT_GE(closed, 145U);
    EXPECT_LT(closed, 400U) << "the newest slow connections keep their places";
    EXPECT_TRUE(slow.front()->closed_within(0ms)) << "the oldest goes first";
}

// Whole headers, then a body that never comes: as sheddable as slow headers, or 400 of them
// would hold every place for the idle timeout.
TEST(http_server_slow_clients, slow_bodies_at_the_cap_give_way_to_a_normal_client) {
    server_options options;
    options.max_connections = 8;
    options.header_timeout = 60s;
    running_server srv([](request&) { return text("ok"); }, options);
    std::vector<std::unique_ptr<raw_connection>> slow;
    for (int i = 0; i < 8; ++i) {
        slow.push_back(std::make_unique<raw_connection>(srv.port()));
        ASSERT_TRUE(slow.back()->send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                                      "Content-Length: 1000\r\n\r\nfirst bytes"));
    }
    EXPECT_EQ(normal_request(srv), 200);
    EXPECT_TRUE(slow.front()->closed_within(5000ms)) << "the oldest slow body made room";
}

// Established streams and requests being answered are busy, never "slow headers".
TEST(http_server_slow_clients, streams_are_never_shed) {
    server_options options;
    options.max_connections = 3;
    options.header_timeout = 60s;
    streaming_handler handler;
    running_server srv(std::ref(handler), options);
    std::vector<std::future<pgshift::testing::http_reply>> readers;
    for (int i = 0; i < 2; ++i) {
        readers.push_back(std::async(std::launch::async, [&srv] {
            http_client client("127.0.0.1", srv.port());
            client.set_timeout(30s);
            return client.request("GET", "/stream");
        }));
    }
    for (const auto until = steady::now() + 5s; handler.count() < 2 && steady::now() < until;) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(handler.count(), 2U);
    raw_connection slow(srv.port());
    ASSERT_TRUE(slow.send("GET / HTTP/1.1\r\nHo"));
    EXPECT_EQ(normal_request(srv), 200) << "the slow connection made room";
    EXPECT_TRUE(slow.closed_within(5000ms));
    // Every place is now a stream or the normal client's kept-alive connection; with those
    // three busy or waiting, the streams are still there to finish.
    srv.on_loop([&] {
        for (auto& w : handler.streams) {
            EXPECT_FALSE(w->closed());
            w->write("data: bye\n\n");
            w->finish();
        }
    });
    for (auto& r : readers) {
        EXPECT_EQ(r.get().body, "data: hello\n\ndata: bye\n\n");
    }
}

// A client that trickles its headers is closed after header_timeout, long before it would
// have finished; a kept-alive connection idle between requests is not (idle_timeout).
TEST(http_server_slow_clients, header_timeout_closes_a_trickling_client_but_not_an_idle_one) {
    server_options options;
    options.header_timeout = 1s;
    running_server srv([](request&) { return text("ok"); }, options);
    http_client idle("127.0.0.1", srv.port());
    ASSERT_EQ(idle.request("GET", "/").status, 200);
    const auto idle_since = steady::now();

    raw_connection trickle(srv.port());
    const std::string request = "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(200, 'p') +
                                "\r\n\r\n"; // 20 s at 100 ms a byte
    bool closed = false;
    for (std::size_t i = 0; i < request.size() && !closed; ++i) {
        closed = !trickle.send(request.substr(i, 1)) || trickle.closed_within(100ms);
    }
    EXPECT_TRUE(closed) << "the whole request trickled in";

    std::this_thread::sleep_until(idle_since + 1500ms); // idle well past header_timeout

    EXPECT_EQ(idle.request("GET", "/").status, 200);
    EXPECT_EQ(idle.connections_opened(), 1U) << "idle between requests for over 1 s: kept";
}

} // namespace
