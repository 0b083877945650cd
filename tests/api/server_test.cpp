// The HTTP server over real loopback TCP: framing, limits, faults, streaming, stop.
#include "api/http_server.hpp"
#include "tests/api/server_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/tls_cert.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <future>
#include <gtest/gtest.h>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <utility>

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
    r.headers.push_back({"Content-Type", "text/plain"});
    return r;
}

response echo(request& req) {
    return text(req.method + "|" + req.path + "|" + std::string(req.query_value("q").value_or("")) +
                "|" + std::string(req.header_value("x-test").value_or("")) + "|" + req.body);
}

bool has_line_containing(const std::vector<std::string>& lines, std::string_view needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

TEST(http_server, round_trip_carries_method_path_query_headers_and_body) {
    running_server srv(echo);
    http_client client("127.0.0.1", srv.port());
    auto post =
        client.request("POST", "/a%20b/c?q=hello%20world&x=1", "payload", {{"X-Test", "v"}});
    EXPECT_EQ(post.status, 200);
    EXPECT_EQ(post.body, "POST|/a b/c|hello world|v|payload");
    EXPECT_EQ(post.header("content-type"), "text/plain");
    EXPECT_EQ(post.header("Server"), "pgshift");
    auto get = client.request("GET", "/x");
    EXPECT_EQ(get.status, 200);
    EXPECT_EQ(get.body, "GET|/x|||");
}

TEST(http_server, keep_alive_serves_several_requests_on_one_connection) {
    running_server srv([](request& req) { return text(std::to_string(req.remote_port)); });
    http_client client("127.0.0.1", srv.port());
    const auto first = client.request("GET", "/").body;
    EXPECT_EQ(client.request("GET", "/").body, first);
    EXPECT_EQ(client.request("POST", "/", "x").body, first);
    EXPECT_EQ(client.connections_opened(), 1U);
}

TEST(http_server, head_answers_with_the_length_but_no_body) {
    running_server srv([](request&) { return text("hello"); });
    http_client client("127.0.0.1", srv.port());
    const auto reply = client.request("HEAD", "/");
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("Content-Length"), "5");
    EXPECT_EQ(reply.body, "");
    EXPECT_EQ(client.request("GET", "/").body, "hello"); // the connection stayed in sync
}

TEST(http_server, body_over_the_limit_is_413) {
    server_options options;
    options.body_limit = 1024;
    running_server srv(echo, options);
    http_client client("127.0.0.1", srv.port());
    const auto reply = client.request("POST", "/", std::string(64 * 1024, 'x'));
    EXPECT_EQ(reply.status, 413);
    EXPECT_NE(reply.body.find("\"request_too_large\""), std::string::npos);
    EXPECT_EQ(client.request("POST", "/", std::string(1024, 'y')).status, 200);
}

TEST(http_server, huge_headers_are_431) {
    running_server srv(echo);
    http_client client("127.0.0.1", srv.port());
    const auto reply = client.request("GET", "/", "", {{"X-Big", std::string(32 * 1024, 'h')}});
    EXPECT_EQ(reply.status, 431);
    EXPECT_EQ(client.request("GET", "/", "", {{"X-Ok", std::string(8 * 1024, 'h')}}).status, 200);
}

TEST(http_server, malformed_request_gets_400_and_the_server_keeps_serving) {
    running_server srv(echo);
    http_client client("127.0.0.1", srv.port());
    const auto garbage = client.send_raw("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0U) << garbage;
    EXPECT_NE(garbage.find("\"bad_request\""), std::string::npos);
    const auto bad_escape = client.send_raw("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(bad_escape.rfind("HTTP/1.1 400", 0), 0U) << bad_escape;
    EXPECT_EQ(client.request("GET", "/fine").body, "GET|/fine|||");
}

TEST(http_server, slow_client_is_dropped_after_the_header_timeout) {
    server_options options;
    options.header_timeout = 1s;
    running_server srv(echo, options);
    http_client client("127.0.0.1", srv.port());
    const auto start = std::chrono::steady_clock::now();
    const auto answer = client.send_raw("GET / HTTP/1.1\r\nHost: x\r\n"); // never finished
    EXPECT_EQ(answer, "");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s); // the client's own deadline is 5 s
}

// A FIFO as a TLS file blocked the constructor forever (OpenSSL waits for a writer).
TEST(http_server, tls_files_must_be_regular_files) {
    pgshift::testing::temp_dir dir;
    const std::string fifo = dir.path() + "/cert.pem";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto real = pgshift::testing::make_self_signed_cert(dir.path());
    boost::asio::io_context io;
    for (const auto& [cert, key] :
         {std::pair{fifo, real.key_file}, std::pair{real.cert_file, dir.path()}}) {
        server_options options;
        options.tls_cert_file = cert;
        options.tls_key_file = key;
        try {
            pgshift::http::server srv(io, options, echo);
            ADD_FAILURE() << "accepted " << cert << " and " << key;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(" is not a regular file"), std::string::npos)
                << e.what();
        }
    }
}

TEST(http_server, throwing_handler_gets_a_generic_500_and_the_details_are_logged) {
    running_server srv([](request& req) -> response {
        if (req.path == "/boom") {
            throw std::runtime_error("secret detail");
        }
        return text("ok");
    });
    http_client client("127.0.0.1", srv.port());
    const auto reply = client.request("GET", "/boom");
    EXPECT_EQ(reply.status, 500);
    EXPECT_NE(reply.body.find("\"internal_error\""), std::string::npos);
    EXPECT_EQ(reply.body.find("secret"), std::string::npos);
    EXPECT_TRUE(has_line_containing(srv.log_lines(), "secret detail"));
    EXPECT_EQ(client.request("GET", "/").body, "ok");
    EXPECT_EQ(client.connections_opened(), 1U);
}

TEST(http_server, header_injection_from_a_handler_is_refused) {
    running_server srv([](request&) { return text("x").with_header("X-A", "1\r\nX-Evil: 1"); });
    http_client client("127.0.0.1", srv.port());
    const auto reply = client.request("GET", "/");
    EXPECT_EQ(reply.status, 500);
    EXPECT_FALSE(reply.header("X-Evil"));
}

TEST(http_server, expect_continue_is_answered) {
    running_server srv(echo);
    http_client client("127.0.0.1", srv.port());
    const auto raw = client.send_raw("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                     "Content-Length: 2\r\nConnection: close\r\n\r\nhi");
    EXPECT_EQ(raw.rfind("HTTP/1.1 100 Continue\r\n", 0), 0U) << raw;
    EXPECT_NE(raw.find("HTTP/1.1 200 OK"), std::string::npos);
    EXPECT_NE(raw.find("POST|/e|||hi"), std::string::npos);
}
} // namespace
