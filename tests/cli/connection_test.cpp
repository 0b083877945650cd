// The built pgshift binary and where it finds pgshiftd: the environment, usage errors, an
// address nothing answers on, a unix socket.
#include "tests/cli/cli_fixture.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace pgshift::testing;
using nlohmann::json;

const std::string id1 = "3f1c0f9e-1111-4222-8333-444455556666";

class cli_connection : public cli_fake_api_test {};

TEST_F(cli_connection, environment_supplies_the_address_and_the_token_file) {
    api.answer("GET", "/v1/upgrades", 200, R"({"upgrades":[],"next":null})");
    const auto token = write_file("token", "from-env");
    const auto r =
        run_pgshift({"list"}, {"PGSHIFT_API=" + api.url(), "PGSHIFT_API_TOKEN_FILE=" + token});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "no upgrades\n");
    ASSERT_EQ(api.requests().size(), 1U);
    EXPECT_EQ(api.requests()[0].authorization, "Bearer from-env");
}

TEST_F(cli_connection, usage_errors_exit_2) {
    const std::string fifo = dir.path() + "/token-fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::vector<std::vector<std::string>> cases = {
        {},
        {"frobnicate"},
        {"--bogus", "list"},
        {"status"},
        {"start", "--app", "sushi"},
        {"start", "--app", "sushi", "--plan", "p", "--remove-source-after", "-1"},
        {"start", "--app", "sushi", "--plan", "p", "--idempotency-key", "a\r\nX-Injected: 1"},
        {"--token-file", "HRKU-pasted-token", "list"},
        {"--api", "ftp://x", "list"},
        {"--token-file", "/nonexistent/token", "list"},
        {"--token-file", "/dev/zero", "list"}, // read forever (no newline) before
        {"--token-file", "/tmp", "list"},
        {"--token-file", fifo, "list"}, // hung before
    };
    for (const auto& args : cases) {
        const auto r = run_pgshift(with_api(args));
        EXPECT_EQ(r.code, 2) << testing::PrintToString(args) << r.err;
        EXPECT_TRUE(r.err.starts_with("pgshift: ")) << r.err;
        EXPECT_FALSE(contains(r.err, "pasted-token")) << "a pasted token is echoed: " << r.err;
    }
    EXPECT_TRUE(run_pgshift(with_api({"frobnicate"}))
                    .err.starts_with("pgshift: unknown command frobnicate\n"));
    EXPECT_EQ(run_pgshift(with_api({"--token-file", fifo, "list"})).err,
              "pgshift: the token file " + fifo + " is not a regular file of at most 64 KiB\n");
    EXPECT_TRUE(api.requests().empty());
    const auto help = run_pgshift({"--help"});
    EXPECT_EQ(help.code, 0);
    EXPECT_TRUE(contains(help.out, "watch"));
}

TEST(cli_unreachable, nothing_listening_on_the_port_exits_3_naming_the_address) {
    const auto url = "http://127.0.0.1:" + std::to_string(unused_port());
    const auto r = run_pgshift({"--api", url, "list"});
    EXPECT_EQ(r.code, 3);
    EXPECT_TRUE(contains(r.err, "cannot reach pgshiftd at " + url)) << r.err;
    EXPECT_TRUE(contains(r.err, "is pgshiftd running?")) << r.err;
}

TEST(cli_unreachable, a_missing_unix_socket_exits_3) {
    const temp_dir dir;
    const auto r = run_pgshift({"--api", "unix:" + dir.path() + "/api.sock", "status", id1});
    EXPECT_EQ(r.code, 3);
    EXPECT_TRUE(contains(r.err, "cannot reach pgshiftd at unix:" + dir.path() + "/api.sock"))
        << r.err;
}

// Answers one request on a unix socket with `body`; returns what it read.
std::string serve_once_on_unix(int listener, const std::string& body) {
    const int fd = ::accept(listener, nullptr, nullptr);
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
        const auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        request.append(buf, std::size_t(n));
    }
    const auto reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    (void)!::write(fd, reply.data(), reply.size());
    ::close(fd);
    return request;
}

TEST(cli_unix_socket, status_over_a_unix_socket) {
    const temp_dir dir;
    const auto path = dir.path() + "/api.sock";
    const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener, 1), 0);
    const auto served = make_upgrade(id1, "sushi", "succeeded");
    std::string request;
    std::thread server([&] { request = serve_once_on_unix(listener, served.dump()); });
    const auto r = run_pgshift({"--api", "unix:" + path, "--json", "status", id1});
    server.join();
    ::close(listener);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), served);
    EXPECT_TRUE(request.starts_with("GET /v1/upgrades/" + id1 + " HTTP/1.1\r\n")) << request;
    EXPECT_TRUE(contains(request, "Host: localhost\r\n")) << request;
}

} // namespace
