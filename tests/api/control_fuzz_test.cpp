// Hundreds of malformed requests against the control API: no crash, no state change.
#include "tests/api/control_fixture.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>
#include <random>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

// Bodies that must never validate: broken JSON, wrong types, bad values, unknown fields.
const std::vector<std::string> bad_bodies{
    "",
    "{",
    "}",
    "null",
    "[]",
    "[{\"app\":\"sushi\"}]",
    "\"sushi\"",
    "{\"app\":\"sushi\",\"plan\":\"heroku-postgresql:standard-0\",}",
    "{\"app\":\"sushi\",\"plan\":\"heroku-postgresql:standard-0\",\"x\":1}",
    "{\"app\":\"Sushi\",\"plan\":\"heroku-postgresql:standard-0\"}",
    "{\"app\":\"sushi\",\"plan\":\"standard-0\"}",
    "{\"app\":12,\"plan\":\"heroku-postgresql:standard-0\"}",
    "{\"app\":\"sushi\",\"plan\":\"heroku-postgresql:standard-0\",\"version\":\"x16\"}",
    "{\"app\":\"sushi\",\"plan\":\"heroku-postgresql:standard-0\",\"verify\":\"yes\"}",
    "{\"app\":\"sushi\",\"plan\":\"heroku-postgresql:standard-0\",\"downtime_at\":\"now\"}",
    "{\"app\":\"sushi\",\"plan\":\"heroku-postgresql:standard-0\",\"remove_source_after\":-5}",
    "{\"app\":\"sushi\",\"plan\":\"heroku-postgresql:standard-0\",\"webhook_url\":\"file:///x\"}",
    "{\"app\":\"sushi\",\"plan\":null}",
    "{\"app\":\"sushi\\u0000\",\"plan\":\"heroku-postgresql:standard-0\"}",
    "{\"app\":\"\xff\xfe\",\"plan\":\"heroku-postgresql:standard-0\"}",
    "{\"app\":\"sushi\",\"plan\":\"heroku-postgresql:standard-0\",\"version\":1e400}",
};

// No TRACE: the test client (Beast) refuses to send one with a body.
const std::vector<std::string> methods{"GET",  "POST",    "PUT",  "DELETE", "PATCH",
                                       "HEAD", "OPTIONS", "BREW", "get"};

// Targets that read or are refused: commands only on ids that do not exist.
std::vector<std::string> targets(const std::string& known_id) {
    return {"/v1/upgrades",
            "/v1/upgrades",
            "/v1/upgrades",
            "/",
            "/v1",
            "/v1/upgrades/",
            "/v1/upgrades//pause",
            "/v1/upgrades/" + known_id,
            "/v1/upgrades/" + known_id + "/events?after=-1",
            "/v1/upgrades/" + known_id + "/events?follow=maybe",
            "/v1/upgrades/" + known_id + "/bogus",
            "/v1/upgrades/nope/pause",
            "/v1/upgrades/nope/cancel",
            "/v1/upgrades/%00/retry",
            "/v1/upgrades/%zz",
            "/v1/upgrades?limit=99999999999999999999",
            "/v1/upgrades?state=%ff",
            "/v1/upgrades?limit=-1&after=",
            "/v1/upgrades/../../etc/passwd",
            "/healthz/..",
            "/metrics?x=" + std::string(2000, 'x'),
            "/" + std::string(300, '/')};
}

// Mutates a body: flip, drop or insert bytes, or truncate.
std::string mutate(std::string s, std::mt19937& rng) {
    std::uniform_int_distribution<int> op(0, 3);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int k = 0; k < 3 && !s.empty(); ++k) {
        std::uniform_int_distribution<std::size_t> at(0, s.size() - 1);
        switch (op(rng)) {
        case 0:
            s[at(rng)] = static_cast<char>(byte(rng));
            break;
        case 1:
            s.erase(at(rng), 1);
            break;
        case 2:
            s.insert(at(rng), 1, static_cast<char>(byte(rng)));
            break;
        default:
            s.resize(at(rng));
            break;
        }
    }
    return s;
}

// Raw byte sequences no HTTP client sends: garbage, lies about length, slow halves.
std::vector<std::string> raw_requests() {
    return {
        "\r\n\r\n",
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET /healthz HTTP/9.9\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST /v1/upgrades HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{",
        "POST /v1/upgrades HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"app\":",
        "POST /v1/upgrades HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST /v1/upgrades HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "FFFFFFFFFF\r\n",
        "GET /v1/upgrades HTTP/1.1\r\nHost: x\r\nX: " + std::string(20000, 'a') + "\r\n\r\n",
        "GET /v1/upgrades HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        "GET /v1/upgrades HTTP/1.1\r\nHo",
        "GET http://evil/v1/upgrades HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n",
        std::string("GET /healthz\0 HTTP/1.1\r\n\r\n", 27),
    };
}

TEST(control_fuzz, malformed_requests_neither_crash_nor_change_state) {
    control_harness h{{}, "127.0.0.1", [](http::server_options& o) {
                          o.idle_timeout = std::chrono::seconds(1);
                      }};
    const auto known = h.started("sushi");
    h.advance(known);
    const auto before = h.fingerprint();
    std::mt19937 rng(20261126); // fixed: a failure replays
    const auto paths = targets(known);
    http_client c{"127.0.0.1", h.port()};
    c.set_timeout(5s);
    int answered = 0;
    for (int i = 0; i < 400; ++i) {
        const auto& method = methods[rng() % methods.size()];
        const auto& target = paths[rng() % paths.size()];
        std::string body = bad_bodies[rng() % bad_bodies.size()];
        if (rng() % 3 == 0) {
            body = mutate(body, rng);
        }
        if (rng() % 40 == 0) {
            body = std::string(api::control_body_limit + 1 + rng() % 1000, '{');
        }
        std::vector<std::pair<std::string, std::string>> headers;
        switch (rng() % 4) {
        case 0:
            headers.push_back({"Content-Type", "application/json"});
            break;
        case 1:
            headers.push_back({"Content-Type", "text/html"});
            break;
        case 2:
            headers.push_back({"Idempotency-Key", std::string(1 + rng() % 300, 'k')});
            break;
        default:
            break;
        }
        try {
            auto r = c.request(method, target, body, headers);
            // Reads may succeed; nothing that could write may.
            if (r.status < 400) {
                EXPECT_TRUE(method == "GET" || method == "HEAD") << method << " " << target;
            }
            EXPECT_LT(r.status, 500) << method << " " << target << " " << r.body;
            ++answered;
        } catch (const std::system_error&) {
            c.close(); // the server may close on what it cannot parse; that is fine
        }
    }
    // Deep nesting: a parser that recurses would overflow the stack here.
    auto deep = c.request("POST", "/v1/upgrades", std::string(30000, '[') + std::string(30000, ']'),
                          {{"Content-Type", "application/json"}});
    EXPECT_EQ(deep.status, 400);
    http_client raw{"127.0.0.1", h.port()};
    raw.set_timeout(300ms); // slow and partial clients: we give up first, the server copes
    for (int round = 0; round < 3; ++round) {
        for (const auto& bytes : raw_requests()) {
            EXPECT_NO_THROW((void)raw.send_raw(bytes));
        }
    }
    EXPECT_GT(answered, 300);
    EXPECT_EQ(h.fingerprint(), before);
    http_client fresh{"127.0.0.1", h.port()};
    EXPECT_EQ(fresh.request("GET", "/healthz").status, 200);
    EXPECT_EQ(fresh.request("GET", "/v1/upgrades/" + known).status, 200);
}

} // namespace
} // namespace pgshift::testing
