// The control API's event streams, metrics text and unix-socket listener, over real sockets.
#include "tests/api/control_fixture.hpp"
#include "tests/support/http_client.hpp"

#include <future>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace pgshift::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct sse_message {
    std::optional<std::int64_t> id;
    std::string event;
    std::string data;
};

// Splits an event-stream body into messages; comments (": …") are counted, not returned.
std::vector<sse_message> parse_sse(const std::string& body, int* comments = nullptr) {
    std::vector<sse_message> out;
    sse_message current;
    bool any = false;
    std::size_t pos = 0;
    while (pos < body.size()) {
        auto end = body.find('\n', pos);
        if (end == std::string::npos) {
            break; // a partial line: the stream was cut
        }
        const auto line = body.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty()) {
            if (any) {
                out.push_back(current);
            }
            current = {};
            any = false;
        } else if (line[0] == ':') {
            if (comments) {
                ++*comments;
            }
        } else if (line.rfind("id: ", 0) == 0) {
            current.id = std::stoll(line.substr(4));
            any = true;
        } else if (line.rfind("event: ", 0) == 0) {
            current.event = line.substr(7);
            any = true;
        } else if (line.rfind("data: ", 0) == 0) {
            current.data = line.substr(6);
            any = true;
        } else {
            ADD_FAILURE() << "unexpected SSE line: " << line;
        }
    }
    return out;
}

// Every history entry in order, as id/event/data frames, then "end" with the final upgrade.
void expect_complete_stream(const std::vector<sse_message>& messages, const json& history,
                            std::int64_t after) {
    ASSERT_FALSE(messages.empty());
    std::size_t expected = 0;
    for (const auto& e : history) {
        if (e["seq"].get<std::int64_t>() > after) {
            ++expected;
        }
    }
    ASSERT_EQ(messages.size(), expected + 1);
    for (std::size_t i = 0; i + 1 < messages.size(); ++i) {
        const auto& want = history[static_cast<std::size_t>(after) + i];
        EXPECT_EQ(messages[i].id, want["seq"].get<std::int64_t>());
        EXPECT_EQ(messages[i].event, want["type"]);
        EXPECT_EQ(json::parse(messages[i].data), want);
    }
    EXPECT_EQ(messages.back().event, "end");
    EXPECT_FALSE(messages.back().id);
    EXPECT_TRUE(json::parse(messages.back().data)["finished_at"].is_string() ||
                json::parse(messages.back().data)["state"] != "pending");
}

api::control_options fast_streams() {
    api::control_options o;
    o.poll_interval = 20ms;
    o.keep_alive_interval = 250ms;
    return o;
}

class control_stream : public ::testing::Test {
protected:
    control_harness h_{fast_streams()};
};

TEST_F(control_stream, follow_delivers_every_event_in_order_then_end) {
    const auto id = h_.started("sushi");
    auto reader = std::async(std::launch::async, [&] {
        http_client c{"127.0.0.1", h_.port()};
        c.set_timeout(20s);
        return c.request("GET", "/v1/upgrades/" + id + "/events?follow=1");
    });
    // Transitions committed on the loop while the stream is open, some between polls.
    state s = state::pending;
    while (!is_terminal(s)) {
        std::this_thread::sleep_for(15ms);
        s = h_.advance(id);
    }
    EXPECT_EQ(s, state::succeeded);
    const auto reply = reader.get();
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("Content-Type"), "text/event-stream");
    http_client c{"127.0.0.1", h_.port()};
    const auto history = json::parse(c.request("GET", "/v1/upgrades/" + id + "/events").body);
    const auto messages = parse_sse(reply.body);
    expect_complete_stream(messages, history["events"], 0);
    EXPECT_EQ(json::parse(messages.back().data)["state"], "succeeded");
}

TEST_F(control_stream, last_event_id_resumes_after_that_entry) {
    const auto id = h_.started("sushi");
    for (int i = 0; i < 3; ++i) {
        h_.advance(id);
    }
    h_.on_loop([&] { ASSERT_TRUE(h_.backend().command(id, command::cancel).ok()); });
    http_client c{"127.0.0.1", h_.port()};
    const auto history = json::parse(c.request("GET", "/v1/upgrades/" + id + "/events").body);
    // rolling_back is not terminal: finish the rollback so the stream can end.
    h_.advance(id);
    const auto full = json::parse(c.request("GET", "/v1/upgrades/" + id + "/events").body);
    ASSERT_GT(full["events"].size(), history["events"].size());
    auto reply = c.request("GET", "/v1/upgrades/" + id + "/events?after=1", "",
                           {{"Last-Event-ID", "3"}, {"Accept", "text/event-stream"}});
    ASSERT_EQ(reply.status, 200);
    expect_complete_stream(parse_sse(reply.body), full["events"], 3);
}

TEST_F(control_stream, quiet_stream_gets_keep_alive_comments) {
    const auto id = h_.started("sushi");
    http_client c{"127.0.0.1", h_.port()};
    c.set_timeout(900ms);
    const auto raw =
        c.send_raw("GET /v1/upgrades/" + id + "/events?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(raw.find("text/event-stream"), std::string::npos);
    EXPECT_NE(raw.find("event: created"), std::string::npos);
    EXPECT_NE(raw.find(": keep-alive\n\n"), std::string::npos) << raw;
}

// A tiny Prometheus text (0.0.4) reader: # HELP/# TYPE lines and `name{l="v"} value` samples.
struct prom_sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

std::vector<prom_sample> parse_prometheus(const std::string& text,
                                          std::map<std::string, std::string>& types) {
    std::vector<prom_sample> out;
    std::istringstream in(text);
    std::string line;
    auto is_name_char = [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == ':';
    };
    while (std::getline(in, line)) {
        if (line.rfind("# TYPE ", 0) == 0) {
            std::istringstream t(line.substr(7));
            std::string name, type;
            t >> name >> type;
            EXPECT_TRUE(type == "gauge" || type == "counter" || type == "summary") << line;
            types[name] = type;
            continue;
        }
        if (line.rfind("# HELP ", 0) == 0) {
            continue;
        }
        prom_sample s;
        std::size_t i = 0;
        while (i < line.size() && is_name_char(line[i])) {
            s.name += line[i++];
        }
        EXPECT_FALSE(s.name.empty()) << line;
        EXPECT_FALSE(std::isdigit(static_cast<unsigned char>(s.name[0]))) << line;
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                std::string key, value;
                while (i < line.size() && line[i] != '=') {
                    key += line[i++];
                }
                EXPECT_EQ(line.substr(i, 2), "=\"") << line;
                i += 2;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\') {
                        ++i;
                    }
                    value += line[i++];
                }
                ++i;
                s.labels[key] = value;
                if (i < line.size() && line[i] == ',') {
                    ++i;
                }
            }
            ++i;
        }
        EXPECT_EQ(line[i], ' ') << line;
        std::size_t used = 0;
        s.value = std::stod(line.substr(i + 1), &used);
        EXPECT_EQ(i + 1 + used, line.size()) << line;
        // Every sample belongs to a family declared before it.
        const auto family =
            s.name.substr(0, s.name.rfind("_sum") == s.name.size() - 4     ? s.name.size() - 4
                             : s.name.rfind("_count") == s.name.size() - 6 ? s.name.size() - 6
                                                                           : s.name.size());
        EXPECT_TRUE(types.count(s.name) || types.count(family)) << line;
        out.push_back(s);
    }
    return out;
}

TEST_F(control_stream, metrics_parse_as_prometheus_text) {
    const auto done = h_.started("app-a");
    while (!is_terminal(h_.advance(done))) {
    }
    h_.advance(h_.started("app-b"));
    http_client c{"127.0.0.1", h_.port()};
    const auto r = c.request("GET", "/metrics");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4");
    ASSERT_FALSE(r.body.empty());
    EXPECT_EQ(r.body.back(), '\n');
    std::map<std::string, std::string> types;
    const auto samples = parse_prometheus(r.body, types);
    std::map<std::string, double> upgrades, step_count, step_sum, heroku;
    std::optional<double> budget, ready;
    for (const auto& s : samples) {
        if (s.name == "pgshift_upgrades") {
            upgrades[s.labels.at("state")] = s.value;
        } else if (s.name == "pgshift_step_duration_seconds_count") {
            step_count[s.labels.at("step")] = s.value;
        } else if (s.name == "pgshift_step_duration_seconds_sum") {
            step_sum[s.labels.at("step")] = s.value;
        } else if (s.name == "pgshift_heroku_requests_total") {
            heroku[s.labels.at("status")] = s.value;
        } else if (s.name == "pgshift_heroku_rate_budget_remaining") {
            budget = s.value;
        } else if (s.name == "pgshift_ready") {
            ready = s.value;
        }
    }
    EXPECT_EQ(upgrades.size(), all_states.size());
    EXPECT_EQ(upgrades["succeeded"], 1);
    EXPECT_EQ(upgrades["provisioning"], 1);
    EXPECT_EQ(upgrades["restoring"], 0);
    EXPECT_EQ(types["pgshift_step_duration_seconds"], "summary");
    EXPECT_EQ(types["pgshift_heroku_requests_total"], "counter");
    // app-a left pending and provisioning once each, app-b left pending: the fake clock
    // moves one second per call, so each stay is a whole number of seconds.
    EXPECT_EQ(step_count["pending"], 2);
    EXPECT_EQ(step_count["provisioning"], 1);
    EXPECT_GT(step_sum["pending"], 0);
    EXPECT_EQ(heroku["200"], 12);
    EXPECT_EQ(heroku["error"], 2);
    EXPECT_EQ(budget, 4391);
    EXPECT_EQ(ready, 1);
}

// A raw HTTP exchange over a unix socket: everything until the server closes.
std::string unix_exchange(const std::string& path, const std::string& bytes) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return "connect failed";
    }
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

// Leaves a socket file behind as a crashed daemon would: bound, never unlinked.
void leave_stale_socket(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
}

TEST(control_unix_socket, serves_on_a_socket_file_with_mode_0660_and_clears_a_stale_one) {
    temp_dir dir;
    const auto path = dir.path() + "/api.sock";
    leave_stale_socket(path);
    {
        control_harness h{{}, "unix:" + path};
        EXPECT_EQ(h.port(), 0);
        struct stat st {};
        ASSERT_EQ(::lstat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0660u);
        const auto reply = unix_exchange(
            path, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
        EXPECT_NE(reply.find(R"({"status":"ok"})"), std::string::npos);
        // A second server on a live socket refuses instead of stealing it.
        EXPECT_THROW(control_harness({}, "unix:" + path), std::system_error);
    }
    struct stat st {};
    EXPECT_NE(::lstat(path.c_str(), &st), 0); // removed at stop
}

TEST(control_unix_socket, refuses_a_path_that_is_not_a_socket) {
    temp_dir dir;
    const auto path = dir.path() + "/plain-file";
    std::fclose(std::fopen(path.c_str(), "w"));
    EXPECT_THROW(control_harness({}, "unix:" + path), std::system_error);
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0); // never deleted
}

} // namespace
} // namespace pgshift::testing
