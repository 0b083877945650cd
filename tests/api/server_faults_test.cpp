// The HTTP server's fault paths over loopback: delays, resets, capacity, streams, stop.
#include "api/http_server.hpp"
#include "tests/api/server_fixture.hpp"
#include "tests/support/http_client.hpp"

#include <boost/asio.hpp>
#include <future>
#include <gtest/gtest.h>
#include <mutex>
#include <thread>

namespace {

using pgshift::http::request;
using pgshift::http::response;
using pgshift::http::server_options;
using pgshift::http::stream_writer;
using pgshift::testing::http_client;
using pgshift::testing::running_server;
using namespace std::chrono_literals;

response text(std::string body) {
    response r;
    r.body = std::move(body);
    return r;
}

TEST(http_server_faults, delay_does_not_block_other_connections) {
    std::promise<void> slow_arrived;
    running_server srv([&](request& req) {
        if (req.path == "/slow") {
            slow_arrived.set_value();
            auto r = text("slow");
            r.delay = 400ms;
            return r;
        }
        return text("fast");
    });
    std::mutex mutex;
    std::vector<std::string> finished;
    std::chrono::steady_clock::duration slow_took{};
    std::thread slow_client([&] {
        http_client client("127.0.0.1", srv.port());
        const auto start = std::chrono::steady_clock::now();
        const auto body = client.request("GET", "/slow").body;
        const std::lock_guard lock{mutex};
        slow_took = std::chrono::steady_clock::now() - start;
        finished.push_back(body);
    });
    ASSERT_EQ(slow_arrived.get_future().wait_for(5s), std::future_status::ready);
    http_client fast("127.0.0.1", srv.port());
    const auto body = fast.request("GET", "/fast").body;
    {
        const std::lock_guard lock{mutex};
        finished.push_back(body);
    }
    slow_client.join();
    EXPECT_EQ(finished, (std::vector<std::string>{"fast", "slow"}));
    EXPECT_GE(slow_took, 400ms); // timers never fire early
}

TEST(http_server_faults, reset_drops_the_connection_without_an_answer) {
    running_server srv([](request&) {
        auto r = text("never sent");
        r.reset = true;
        return r;
    });
    http_client client("127.0.0.1", srv.port());
    EXPECT_THROW(client.request("GET", "/"), std::system_error);
    EXPECT_EQ(client.send_raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "");
}

TEST(http_server_faults, beyond_max_connections_all_busy_the_answer_is_503) {
    server_options options;
    options.max_connections = 2;
    std::mutex mutex;
    std::vector<std::shared_ptr<stream_writer>> streams;
    running_server srv(
        [&](request& req) {
            if (req.path != "/stream") {
                return text("ok");
            }
            response r;
            r.on_stream = [&](std::shared_ptr<stream_writer> w) {
                w->write("busy");
                const std::lock_guard lock{mutex};
                streams.push_back(std::move(w));
            };
            return r;
        },
        options);
    // Two streams: busy sessions, which are never shed to make room (idle ones would be).
    auto stream = [&srv] {
        return std::async(std::launch::async, [&srv] {
            http_client client("127.0.0.1", srv.port());
            return client.request("GET", "/stream").body;
        });
    };
    auto first = stream();
    auto second = stream();
    auto streaming = [&] {
        const std::lock_guard lock{mutex};
        return streams.size();
    };
    for (auto until = std::chrono::steady_clock::now() + 5s;
         streaming() < 2 && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(streaming(), 2U);
    http_client third("127.0.0.1", srv.port());
    const auto busy = third.request("GET", "/");
    EXPECT_EQ(busy.status, 503);
    EXPECT_NE(busy.body.find("\"unavailable\""), std::string::npos);
    srv.on_loop([&] { streams[0]->finish(); }); // frees a slot once the session ends
    int status = 0;
    for (auto until = std::chrono::steady_clock::now() + 3s;
         status != 200 && std::chrono::steady_clock::now() < until;) {
        http_client fourth("127.0.0.1", srv.port());
        status = fourth.request("GET", "/").status;
    }
    EXPECT_EQ(status, 200);
    srv.on_loop([&] { streams[1]->finish(); });
    EXPECT_EQ(first.get(), "busy");
    EXPECT_EQ(second.get(), "busy");
}

TEST(http_server_faults, stream_delivers_every_chunk_in_order) {
    std::shared_ptr<stream_writer> kept;
    running_server srv([&](request&) {
        response r;
        r.headers.push_back({"Content-Type", "text/event-stream"});
        r.on_stream = [&](std::shared_ptr<stream_writer> writer) {
            kept = writer;
            writer->write("data: one\n\n");
            // The rest arrives later, from the loop, as events would.
            auto timer = std::make_shared<boost::asio::steady_timer>(srv.io(), 20ms);
            timer->async_wait([timer, writer](auto) {
                writer->write("data: two\n\n");
                writer->write("data: three\n\n");
                writer->finish();
            });
        };
        return r;
    });
    http_client client("127.0.0.1", srv.port());
    const auto reply = client.request("GET", "/events");
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("Transfer-Encoding"), "chunked");
    EXPECT_EQ(reply.body, "data: one\n\ndata: two\n\ndata: three\n\n");
    // The client may see the last chunk before the loop has resumed the session after
    // writing it, so wait (bounded) for the session to close the writer.
    bool closed = false;
    bool late_write = true;
    for (auto until = std::chrono::steady_clock::now() + 3s;
         !closed && std::chrono::steady_clock::now() < until;) {
        srv.on_loop([&] {
            closed = kept && kept->closed();
            late_write = kept && kept->write("late");
        });
    }
    EXPECT_TRUE(closed);
    EXPECT_FALSE(late_write);
}

TEST(http_server_faults, stop_ends_run_promptly_with_idle_delayed_and_streaming_sessions) {
    std::shared_ptr<stream_writer> stream;
    std::promise<void> streaming, delaying;
    running_server srv([&](request& req) {
        response r;
        if (req.path == "/stream") {
            r.on_stream = [&](std::shared_ptr<stream_writer> w) {
                w->write("hello");
                stream = w;
                streaming.set_value();
            };
        } else if (req.path == "/delay") {
            r.delay = 20s;
            delaying.set_value();
        }
        return r;
    });
    http_client idle("127.0.0.1", srv.port());
    ASSERT_EQ(idle.request("GET", "/").status, 200);
    auto background = [&](std::string target) {
        return std::async(std::launch::async, [&srv, target] {
            http_client client("127.0.0.1", srv.port());
            client.set_timeout(30s); // only the server's stop may end these quickly
            EXPECT_THROW(client.request("GET", target), std::system_error);
        });
    };
    auto stream_reader = background("/stream");
    auto delayed = background("/delay");
    ASSERT_EQ(streaming.get_future().wait_for(5s), std::future_status::ready);
    ASSERT_EQ(delaying.get_future().wait_for(5s), std::future_status::ready);
    srv.stop();
    EXPECT_TRUE(srv.wait_stopped(3s)); // idle_timeout is 30 s, the delay 20 s
    stream_reader.get();
    delayed.get();
    EXPECT_TRUE(stream->closed());
    EXPECT_FALSE(stream->write("after stop"));
}

TEST(http_server_faults, listen_failures_name_the_address) {
    running_server first([](request&) { return text("ok"); });
    boost::asio::io_context io;
    server_options taken;
    taken.port = first.port();
    pgshift::http::server second(io, taken, [](request&) { return text("no"); });
    try {
        second.start();
        FAIL() << "bind on a taken port succeeded";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())),
                  std::string::npos)
            << e.what();
    }
    server_options bad;
    bad.address = "not-an-address";
    pgshift::http::server third(io, bad, [](request&) { return text("no"); });
    EXPECT_THROW(third.start(), std::system_error);
}

} // namespace
