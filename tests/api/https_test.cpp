// The HTTP server over TLS: round trip with a trusted certificate, refusal otherwise.
#include "api/http_server.hpp"
#include "tests/api/server_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/tls_cert.hpp"

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace {

using pgshift::http::request;
using pgshift::http::response;
using pgshift::http::server_options;
using pgshift::testing::http_client;
using pgshift::testing::make_self_signed_cert;
using pgshift::testing::running_server;
using pgshift::testing::temp_dir;
using namespace std::chrono_literals;

response hello(request& req) {
    response r;
    r.body = "hello " + req.path;
    return r;
}

server_options tls_options(const pgshift::testing::tls_files& files) {
    server_options options;
    options.tls_cert_file = files.cert_file;
    options.tls_key_file = files.key_file;
    return options;
}

TEST(https_server, round_trip_with_the_generated_certificate) {
    temp_dir dir;
    const auto files = make_self_signed_cert(dir.path());
    running_server srv(hello, tls_options(files));
    for (const char* host : {"127.0.0.1", "localhost"}) { // SAN by IP, and by name with SNI
        http_client client(host, srv.port(), files.cert_file);
        EXPECT_EQ(client.request("GET", "/a").body, "hello /a");
        EXPECT_EQ(client.request("POST", "/b", "x").body, "hello /b");
        EXPECT_EQ(client.connections_opened(), 1U);
    }
}

TEST(https_server, a_client_that_does_not_trust_the_certificate_fails) {
    temp_dir dir;
    const auto files = make_self_signed_cert(dir.path());
    const auto stranger = make_self_signed_cert(dir.path(), "stranger");
    running_server srv(hello, tls_options(files));
    http_client distrustful("127.0.0.1", srv.port(), stranger.cert_file);
    EXPECT_THROW(distrustful.request("GET", "/"), std::system_error);
    http_client plain("127.0.0.1", srv.port()); // plain HTTP on the TLS port
    plain.set_timeout(2s);
    EXPECT_THROW(plain.request("GET", "/"), std::system_error);
    http_client trusting("127.0.0.1", srv.port(), files.cert_file);
    EXPECT_EQ(trusting.request("GET", "/ok").body, "hello /ok");
}

TEST(https_server, stop_closes_idle_tls_sessions_promptly) {
    temp_dir dir;
    const auto files = make_self_signed_cert(dir.path());
    running_server srv(hello, tls_options(files));
    http_client client("127.0.0.1", srv.port(), files.cert_file);
    ASSERT_EQ(client.request("GET", "/").status, 200);
    srv.stop();
    EXPECT_TRUE(srv.wait_stopped(3s));
}

TEST(https_server, bad_tls_files_throw_from_the_constructor) {
    temp_dir dir;
    const auto files = make_self_signed_cert(dir.path());
    const auto other = make_self_signed_cert(dir.path(), "other");
    boost::asio::io_context io;
    auto make = [&](server_options o) {
        pgshift::http::server s(io, std::move(o), hello);
    };
    server_options missing = tls_options(files);
    missing.tls_cert_file = dir.path() + "/absent.crt";
    EXPECT_THROW(make(missing), std::runtime_error);
    server_options half;
    half.tls_cert_file = files.cert_file;
    EXPECT_THROW(make(half), std::runtime_error);
    server_options mismatched = tls_options(files);
    mismatched.tls_key_file = other.key_file;
    EXPECT_THROW(make(mismatched), std::runtime_error);
    server_options garbage = tls_options(files);
    garbage.tls_key_file = dir.path() + "/garbage.key";
    std::ofstream(*garbage.tls_key_file) << "not a key\n";
    EXPECT_THROW(make(garbage), std::runtime_error);
    EXPECT_NO_THROW(make(tls_options(files)));
}

} // namespace
