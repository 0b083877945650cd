// The control API over loopback: real server, real routes, a store on a temp SQLite file.
#include "tests/api/control_fixture.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

namespace pgshift::testing {
namespace {

using json = nlohmann::json;
using headers = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

const std::string sushi = R"({"app":"sushi","plan":"heroku-postgresql:standard-0"})";
const headers json_type{{"Content-Type", "application/json"}};

headers with_key(const std::string& key) {
    return {{"Content-Type", "application/json"}, {"Idempotency-Key", key}};
}

// The reply is an error of the contract's shape with this status and id.
void expect_error(const http_reply& r, int status, const std::string& id) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    const auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j.value("id", ""), id) << r.body;
    EXPECT_FALSE(j.value("message", "").empty()) << r.body;
}

class control_server : public ::testing::Test {
protected:
    control_harness h_;
    http_client c_{"127.0.0.1", h_.port()};
};

TEST_F(control_server, create_answers_201_with_location_and_the_upgrade) {
    auto r = c_.request("POST", "/v1/upgrades", sushi, json_type);
    ASSERT_EQ(r.status, 201) << r.body;
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["app"], "sushi");
    EXPECT_EQ(j["state"], "pending");
    EXPECT_EQ(r.header("Location"), "/v1/upgrades/" + j["id"].get<std::string>());
    auto again = c_.request("GET", *r.header("Location"));
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(json::parse(again.body)["id"], j["id"]);
    ASSERT_EQ(json::parse(again.body)["timings"].size(), 1u);
    EXPECT_EQ(json::parse(again.body)["timings"][0]["step"], "pending");
}

// The scheduler's answer reaches every upgrade the API shows: one, a list, the stream's end.
TEST_F(control_server, waiting_status_flows_from_the_backend_into_the_json) {
    auto r = c_.request("POST", "/v1/upgrades", sushi, json_type);
    ASSERT_EQ(r.status, 201) << r.body;
    const auto id = json::parse(r.body)["id"].get<std::string>();
    EXPECT_TRUE(json::parse(c_.request("GET", "/v1/upgrades/" + id).body)["waiting"].is_null());
    h_.backend().waiting_for[id] = {wait_reason::budget, 3,
                                    time_point{std::chrono::seconds(1'795'000'000)},
                                    "needs 41 calls, 12 free"};
    const auto expected = json::parse(R"({"reason":"budget","place":3,
        "since":"2026-11-18T11:06:40.000Z","detail":"needs 41 calls, 12 free"})");
    EXPECT_EQ(json::parse(c_.request("GET", "/v1/upgrades/" + id).body)["waiting"], expected);
    EXPECT_EQ(json::parse(c_.request("GET", "/v1/upgrades").body)["upgrades"][0]["waiting"],
              expected);
    h_.backend().waiting_for.clear();
    EXPECT_TRUE(json::parse(c_.request("GET", "/v1/upgrades/" + id).body)["waiting"].is_null());
}

// A request's own bound on apps down at once is kept and shown; a bad one is a clear 422.
TEST_F(control_server, max_downtime_concurrency_is_accepted_and_shown) {
    auto r = c_.request("POST", "/v1/upgrades",
                        R"({"app":"sushi","plan":"heroku-postgresql:standard-0",
                            "max_downtime_concurrency":2})",
                        json_type);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(json::parse(r.body)["options"]["max_downtime_concurrency"], 2);
    r = c_.request("POST", "/v1/upgrades",
                   R"({"app":"ramen","plan":"heroku-postgresql:standard-0",
                       "max_downtime_concurrency":0})",
                   json_type);
    expect_error(r, 422, "invalid_params");
    EXPECT_EQ(json::parse(r.body)["field"], "max_downtime_concurrency");
}

TEST_F(control_server, idempotency_key_replays_and_refuses_another_body) {
    auto first = c_.request("POST", "/v1/upgrades", sushi, with_key("k-1"));
    ASSERT_EQ(first.status, 201) << first.body;
    const auto before = h_.fingerprint();
    // Same key and an equivalent body (other spacing and key order): the same upgrade.
    auto replay = c_.request("POST", "/v1/upgrades",
                             R"({ "plan": "heroku-postgresql:standard-0", "app": "sushi" })",
                             with_key("k-1"));
    ASSERT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(json::parse(replay.body)["id"], json::parse(first.body)["id"]);
    EXPECT_EQ(h_.fingerprint(), before);
    auto other =
        c_.request("POST", "/v1/upgrades",
                   R"({"app":"sushi","plan":"heroku-postgresql:standard-2"})", with_key("k-1"));
    expect_error(other, 409, "conflict");
    EXPECT_EQ(json::parse(other.body)["upgrade_id"], json::parse(first.body)["id"]);
    EXPECT_EQ(h_.fingerprint(), before);
    expect_error(c_.request("POST", "/v1/upgrades", sushi, with_key(std::string(256, 'k'))), 400,
                 "bad_request");
}

TEST_F(control_server, second_active_upgrade_of_an_app_is_a_conflict_naming_the_first) {
    const auto id = h_.started("sushi");
    auto r = c_.request("POST", "/v1/upgrades", sushi, json_type);
    expect_error(r, 409, "conflict");
    EXPECT_EQ(json::parse(r.body)["upgrade_id"], id);
    EXPECT_NE(json::parse(r.body)["message"].get<std::string>().find(id), std::string::npos);
    // Once the first ended, the app may be upgraded again.
    ASSERT_EQ(c_.request("POST", "/v1/upgrades/" + id + "/cancel").status, 200);
    EXPECT_EQ(c_.request("POST", "/v1/upgrades", sushi, json_type).status, 201);
}

TEST_F(control_server, error_statuses_and_bodies) {
    expect_error(c_.request("POST", "/v1/upgrades", "{not json", json_type), 400, "bad_request");
    expect_error(c_.request("POST", "/v1/upgrades", "[1,2]", json_type), 400, "bad_request");
    expect_error(c_.request("GET", "/v1/nothing"), 404, "not_found");
    expect_error(c_.request("GET", "/v1/upgrades/no-such-id"), 404, "not_found");
    expect_error(c_.request("GET", "/v1/upgrades/no-such-id/events"), 404, "not_found");
    expect_error(c_.request("POST", "/v1/upgrades/no-such-id/pause"), 404, "not_found");
    auto r = c_.request("DELETE", "/v1/upgrades");
    expect_error(r, 405, "method_not_allowed");
    EXPECT_EQ(r.header("Allow"), "GET, HEAD, POST");
    r = c_.request("GET", "/v1/upgrades/x/pause");
    expect_error(r, 405, "method_not_allowed");
    EXPECT_EQ(r.header("Allow"), "POST");
    expect_error(c_.request("POST", "/v1/upgrades", std::string(api::control_body_limit + 1, ' '),
                            json_type),
                 413, "request_too_large");
    expect_error(c_.request("POST", "/v1/upgrades", "app=sushi",
                            {{"Content-Type", "application/x-www-form-urlencoded"}}),
                 415, "unsupported_media_type");
    r = c_.request("POST", "/v1/upgrades",
                   R"({"app":"sushi","plan":"heroku-postgresql:standard-0","colour":"red"})",
                   json_type);
    expect_error(r, 422, "invalid_params");
    EXPECT_EQ(json::parse(r.body)["field"], "colour");
    expect_error(c_.request("GET", "/v1/upgrades?limit=0"), 400, "bad_request");
    expect_error(c_.request("GET", "/v1/upgrades?state=running"), 400, "bad_request");
    EXPECT_EQ(h_.fingerprint(), store_fingerprint{});
}

TEST_F(control_server, internal_errors_are_generic_and_logged) {
    const auto id = h_.started("sushi");
    h_.on_loop([&] { h_.backend().throw_on_get = true; });
    auto r = c_.request("GET", "/v1/upgrades/" + id);
    expect_error(r, 500, "internal_error");
    EXPECT_EQ(r.body.find("disk on fire"), std::string::npos);
    bool logged = false;
    for (const auto& line : h_.log_lines()) {
        logged = logged || line.find("disk on fire") != std::string::npos;
    }
    EXPECT_TRUE(logged);
}

TEST_F(control_server, list_filters_and_pages_newest_first) {
    std::vector<std::string> ids;
    for (const char* app : {"app-a", "app-b", "app-c", "app-d", "app-e"}) {
        ids.push_back(h_.started(app));
    }
    h_.advance(ids[1]);
    h_.advance(ids[3]);
    std::vector<std::string> seen;
    std::string target = "/v1/upgrades?limit=2";
    for (int pages = 0; pages < 10; ++pages) {
        auto r = c_.request("GET", target);
        ASSERT_EQ(r.status, 200) << r.body;
        const auto j = json::parse(r.body);
        EXPECT_LE(j["upgrades"].size(), 2u);
        for (const auto& u : j["upgrades"]) {
            seen.push_back(u["id"]);
        }
        if (j["next"].is_null()) {
            break;
        }
        target = "/v1/upgrades?limit=2&after=" + j["next"].get<std::string>();
    }
    EXPECT_EQ(seen, std::vector<std::string>(ids.rbegin(), ids.rend()));
    auto filtered = json::parse(c_.request("GET", "/v1/upgrades?state=provisioning").body);
    ASSERT_EQ(filtered["upgrades"].size(), 2u);
    EXPECT_EQ(filtered["upgrades"][0]["id"], ids[3]);
    EXPECT_EQ(filtered["upgrades"][1]["id"], ids[1]);
    auto by_app = json::parse(c_.request("GET", "/v1/upgrades?app=app-c").body);
    ASSERT_EQ(by_app["upgrades"].size(), 1u);
    EXPECT_EQ(by_app["upgrades"][0]["id"], ids[2]);
}

TEST_F(control_server, commands_answer_the_upgrade_or_invalid_state) {
    const auto id = h_.started("sushi");
    const auto base = "/v1/upgrades/" + id;
    auto r = c_.request("POST", base + "/pause");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["paused"], true);
    expect_error(c_.request("POST", base + "/pause"), 409, "invalid_state");
    expect_error(c_.request("POST", base + "/retry"), 409, "invalid_state");
    r = c_.request("POST", base + "/resume");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["paused"], false);
    r = c_.request("POST", base + "/resume");
    expect_error(r, 409, "invalid_state");
    EXPECT_NE(json::parse(r.body)["message"].get<std::string>().find("not paused"),
              std::string::npos);
    r = c_.request("POST", base + "/cancel");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["state"], "cancelled");
    expect_error(c_.request("POST", base + "/cancel"), 409, "invalid_state");
}

TEST_F(control_server, events_in_seq_order_after_a_cursor) {
    const auto id = h_.started("sushi");
    h_.advance(id);
    h_.advance(id);
    auto all = json::parse(c_.request("GET", "/v1/upgrades/" + id + "/events").body)["events"];
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0], json::parse(all[0].dump())); // sanity: plain JSON values
    EXPECT_EQ(all[0]["type"], "created");
    EXPECT_TRUE(all[0]["from"].is_null());
    EXPECT_EQ(all[0]["to"], "pending");
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i]["seq"], i + 1);
    }
    auto later = json::parse(c_.request("GET", "/v1/upgrades/" + id + "/events?after=2").body);
    ASSERT_EQ(later["events"].size(), 1u);
    EXPECT_EQ(later["events"][0]["seq"], 3);
    expect_error(c_.request("GET", "/v1/upgrades/" + id + "/events?after=x"), 400, "bad_request");
}

TEST_F(control_server, health_readiness_and_head) {
    auto r = c_.request("GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(json::parse(r.body), json::parse(R"({"status":"ok"})"));
    EXPECT_EQ(c_.request("HEAD", "/healthz").status, 200);
    EXPECT_EQ(json::parse(c_.request("GET", "/readyz").body)["status"], "ready");
    h_.on_loop([&] { h_.backend().ready_ = false; });
    expect_error(c_.request("GET", "/readyz"), 503, "not_ready");
    EXPECT_NE(c_.request("GET", "/metrics").body.find("pgshift_ready 0\n"), std::string::npos);
}

class control_server_with_token : public ::testing::Test {
protected:
    static api::control_options with_token() {
        api::control_options o;
        o.token = "s3cret-token";
        return o;
    }
    control_harness h_{with_token()};
    http_client c_{"127.0.0.1", h_.port()};
};

TEST_F(control_server_with_token, every_route_but_healthz_needs_the_token) {
    EXPECT_EQ(c_.request("GET", "/healthz").status, 200);
    for (const auto& [method, target] :
         std::vector<std::pair<std::string, std::string>>{{"GET", "/v1/upgrades"},
                                                          {"POST", "/v1/upgrades"},
                                                          {"GET", "/metrics"},
                                                          {"GET", "/readyz"},
                                                          {"GET", "/no/such/route"},
                                                          {"POST", "/healthz"}}) {
        auto r = c_.request(method, target);
        expect_error(r, 401, "unauthorized");
        EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer") << target;
        r = c_.request(method, target, "", {{"Authorization", "Bearer s3cret-tokeN"}});
        expect_error(r, 401, "unauthorized");
    }
    auto ok = c_.request("GET", "/v1/upgrades", "", {{"Authorization", "Bearer s3cret-token"}});
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.body.find("s3cret"), std::string::npos);
}

} // namespace
} // namespace pgshift::testing
