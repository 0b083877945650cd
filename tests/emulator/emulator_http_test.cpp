// The emulator over real HTTP(S): shapes, status codes, paging, 401/404/423/429, every fault.
#include "tests/emulator/emulator_fixture.hpp"
#include "tests/support/tls_cert.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>

using namespace pgshift::testing;
using nlohmann::json;

namespace {

class emulator_http : public ::testing::Test {
protected:
    running_emulator emu{[] {
        pgshift::emulator::service_options o;
        o.page_size = 2;
        return o;
    }()};

    void SetUp() override {
        ASSERT_EQ(emu.call("PUT", "/_emulator/timings", fast_timings()).status, 200);
        auto seeded = emu.call("POST", "/_emulator/apps",
                               {{"name", "shop"},
                                {"formation", "web=2 worker=3 clock=1"},
                                {"pooler", true},
                                {"size_bytes", 4096}});
        ASSERT_EQ(seeded.status, 201);
        old_db = seeded.body["addon"];
    }

    json fault(json spec) {
        auto r = emu.call("POST", "/_emulator/faults", spec);
        EXPECT_EQ(r.status, 201);
        return r.body;
    }

    int fired(const std::string& id) {
        for (const auto& f : emu.call("GET", "/_emulator/faults").body) {
            if (f["id"] == id) {
                return f["fired"].get<int>();
            }
        }
        return -1;
    }

    int ledger_count(const std::string& kind) {
        int n = 0;
        for (const auto& e : emu.call("GET", "/_emulator/ledger").body) {
            n += e["kind"] == kind;
        }
        return n;
    }

    json create_new_db() {
        auto r = emu.call("POST", "/apps/shop/addons",
                          {{"plan", {{"name", "heroku-postgresql:standard-2"}}},
                           {"config", {{"version", "16"}}}});
        EXPECT_EQ(r.status, 201);
        return r.body;
    }

    json old_db;
};

TEST_F(emulator_http, every_answer_has_a_request_id_and_401_without_token) {
    auto r = emu.call("GET", "/apps/shop", nullptr, {}, std::nullopt);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body["id"], "unauthorized");
    EXPECT_TRUE(r.body.contains("url"));
    EXPECT_TRUE(r.raw.header("Request-Id"));
    EXPECT_EQ(emu.call("GET", "/apps/shop", nullptr, {}, "wrong").status, 401);
    auto echoed = emu.call("GET", "/apps/shop", nullptr, {{"Request-Id", "abc, older"}});
    EXPECT_EQ(echoed.raw.header("Request-Id"), "abc");
    EXPECT_TRUE(echoed.raw.header("RateLimit-Remaining"));
}

TEST_F(emulator_http, app_maintenance_and_404) {
    auto r = emu.call("PATCH", "/apps/shop", {{"maintenance", true}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body["maintenance"], true);
    EXPECT_EQ(emu.call("GET", "/apps/" + r.body["id"].get<std::string>()).body["maintenance"],
              true);
    auto missing = emu.call("GET", "/apps/nope");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.body["id"], "not_found");
    EXPECT_EQ(emu.call("PATCH", "/apps/shop", {{"maintenance", "yes"}}).status, 422);
    EXPECT_EQ(ledger_count("maintenance"), 1);
}

TEST_F(emulator_http, formation_pages_and_scales_with_string_quantities) {
    auto page = emu.call("GET", "/apps/shop/formation");
    EXPECT_EQ(page.status, 206);
    ASSERT_EQ(page.body.size(), 2u);
    const auto next = page.raw.header("Next-Range");
    ASSERT_TRUE(next);
    auto rest = emu.call("GET", "/apps/shop/formation", nullptr, {{"Range", *next}});
    EXPECT_EQ(rest.status, 200);
    EXPECT_EQ(rest.body.size(), 1u);
    auto scaled = emu.call(
        "PATCH", "/apps/shop/formation",
        {{"updates",
          {{{"type", "worker"}, {"quantity", "0"}}, {{"type", "clock"}, {"quantity", 0}}}}});
    EXPECT_EQ(scaled.status, 200);
    auto one = emu.call("PATCH", "/apps/shop/formation/worker", {{"quantity", "+2"}});
    EXPECT_EQ(one.body["quantity"], 2);
    EXPECT_EQ(emu.call("GET", "/apps/shop/formation/worker").body["quantity"], 2);
    EXPECT_EQ(emu.call("PATCH", "/apps/shop/formation/nope", {{"quantity", 1}}).status, 404);
    EXPECT_EQ(ledger_count("formation"), 2);
}

TEST_F(emulator_http, add_on_lifecycle_wait_status_and_resolvers) {
    emu.call("PUT", "/_emulator/timings", {{"wait_status_404_ms", 150}, {"provisioning_ms", 100}});
    auto r = emu.call(
        "POST", "/apps/shop/addons",
        {{"plan", {{"name", "heroku-postgresql:standard-2"}}}, {"config", {{"version", "16"}}}});
    EXPECT_EQ(r.status, 202);
    EXPECT_EQ(r.body["state"], "provisioning");
    const auto id = r.body["id"].get<std::string>();
    EXPECT_EQ(emu.call("GET", "/client/v11/databases/" + id + "/wait_status").status, 404);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto info = emu.call("GET", "/apps/shop/addons/" + r.body["name"].get<std::string>());
    EXPECT_EQ(info.body["state"], "provisioned");
    EXPECT_EQ(info.body["config_vars"].size(), 1u);
    auto ws = emu.call("GET", "/client/v11/databases/" + id + "/wait_status");
    EXPECT_EQ(ws.status, 200);
    EXPECT_EQ(ws.body["waiting?"], false);
    auto res = emu.call("POST", "/actions/addon-attachments/resolve",
                        {{"addon_attachment", "DATABASE_URL"}, {"app", "shop"}},
                        {{"Accept", "application/vnd.heroku+json; version=3.sdk"}});
    ASSERT_EQ(res.status, 200);
    ASSERT_EQ(res.body.size(), 1u);
    EXPECT_EQ(res.body[0]["addon"]["id"], old_db["id"]);
    EXPECT_EQ(res.body[0]["addon"]["plan"]["name"], "heroku-postgresql:standard-0");
    auto ar = emu.call("POST", "/actions/addons/resolve", {{"addon", id}, {"app", nullptr}});
    EXPECT_EQ(ar.body[0]["id"], id);
    EXPECT_EQ(emu.call("POST", "/actions/addons/resolve", {{"addon", "nope"}}).status, 404);
    auto gone =
        emu.call("DELETE", "/apps/" + r.body["app"]["id"].get<std::string>() + "/addons/" + id,
                 {{"force", false}});
    EXPECT_EQ(gone.body["state"], "deprovisioned");
    EXPECT_EQ(emu.call("GET", "/apps/shop/addons/" + id).status, 404);
    EXPECT_EQ(ledger_count("addon_created"), 1);
    EXPECT_EQ(ledger_count("addon_destroyed"), 1);
}

TEST_F(emulator_http, promote_needs_confirm_then_moves_database_url) {
    auto fresh = create_new_db();
    json body = {{"addon", {{"name", fresh["name"]}}},
                 {"app", {{"name", "shop"}}},
                 {"name", "DATABASE"},
                 {"namespace", nullptr}};
    auto refused = emu.call("POST", "/addon-attachments", body);
    EXPECT_EQ(refused.status, 423);
    EXPECT_EQ(refused.body["id"], "confirmation_required");
    EXPECT_TRUE(refused.raw.header("X-Confirmation-Required"));
    body["confirm"] = "shop";
    auto done = emu.call("POST", "/addon-attachments", body);
    EXPECT_EQ(done.status, 201);
    auto vars = emu.call("GET", "/apps/shop/config-vars").body;
    auto db = emu.call("GET", "/client/v11/databases/" + fresh["id"].get<std::string>()).body;
    EXPECT_EQ(vars["DATABASE_URL"], db["resource_url"]);
    // The old add-on keeps its colour alias, so its URL is still there under that name.
    for (const auto& name : old_db["config_vars"]) {
        if (name.get<std::string>().rfind("HEROKU_POSTGRESQL_", 0) == 0) {
            EXPECT_TRUE(vars.contains(name.get<std::string>()));
            EXPECT_NE(vars[name.get<std::string>()], vars["DATABASE_URL"]);
        }
    }
    auto rel = emu.call("GET", "/apps/shop/releases", nullptr,
                        {{"Range", "version ..; max=5, order=desc"}});
    ASSERT_GE(rel.body.size(), 2u);
    EXPECT_GT(rel.body[0]["version"], rel.body[1]["version"]);
    EXPECT_NE(rel.body[0]["description"].get<std::string>().find("Attach DATABASE"),
              std::string::npos);
    EXPECT_NE(rel.body[1]["description"].get<std::string>().find("Detach DATABASE"),
              std::string::npos);
    EXPECT_EQ(emu.call("GET", "/apps/shop/releases/" + rel.body[0]["id"].get<std::string>())
                  .body["status"],
              "succeeded");
    EXPECT_EQ(ledger_count("promotion"), 1);
}

TEST_F(emulator_http, backup_restore_and_transfer_actions) {
    auto fresh = create_new_db();
    auto cap =
        emu.call("POST", "/client/v11/databases/" + old_db["id"].get<std::string>() + "/backups");
    ASSERT_EQ(cap.status, 201);
    EXPECT_EQ(cap.body["from_type"], "pg_dump");
    EXPECT_EQ(cap.body["to_type"], "gof3r");
    auto b = emu.call("GET", "/client/v11/apps/shop/transfers/b001?verbose=true");
    EXPECT_EQ(b.body["succeeded"], true);
    EXPECT_EQ(b.body["processed_bytes"], 4096);
    EXPECT_FALSE(b.body["logs"].empty());
    auto url = emu.call("POST", "/client/v11/apps/shop/transfers/1/actions/public-url");
    EXPECT_EQ(url.status, 200);
    EXPECT_TRUE(url.body.contains("expires_at"));
    auto rest =
        emu.call("POST", "/client/v11/databases/" + fresh["id"].get<std::string>() + "/restores",
                 {{"backup_url", b.body["to_url"]}});
    ASSERT_EQ(rest.status, 201);
    auto r = emu.call("GET", "/client/v11/apps/" + fresh["app"]["id"].get<std::string>() +
                                 "/transfers/" + rest.body["uuid"].get<std::string>());
    EXPECT_EQ(r.body["succeeded"], true);
    EXPECT_EQ(r.body["from_type"], "gof3r");
    EXPECT_EQ(emu.call("GET", "/client/v11/apps/shop/transfers").body.size(), 2u);
    auto bogus =
        emu.call("POST", "/client/v11/databases/" + fresh["id"].get<std::string>() + "/restores",
                 {{"backup_url", "https://example.invalid/x.dump"}});
    EXPECT_EQ(bogus.body["succeeded"], false);
    EXPECT_EQ(emu.call("DELETE", "/client/v11/apps/shop/transfers/1").status, 200);
    EXPECT_EQ(emu.call("GET", "/client/v11/apps/shop/transfers").body.size(), 2u);
    emu.call("PUT", "/_emulator/timings", {{"throughput_bytes_per_s", 1}});
    auto slow =
        emu.call("POST", "/client/v11/databases/" + old_db["id"].get<std::string>() + "/backups");
    auto canceled = emu.call("POST", "/client/v11/apps/shop/transfers/" +
                                         slow.body["uuid"].get<std::string>() + "/actions/cancel");
    EXPECT_EQ(canceled.status, 200);
    EXPECT_FALSE(canceled.body["canceled_at"].is_null());
    EXPECT_EQ(emu.call("GET", "/client/v11/apps/shop/transfers/zzz").status, 404);
    EXPECT_EQ(ledger_count("backup"), 2);
    EXPECT_EQ(ledger_count("restore"), 2);
}

TEST_F(emulator_http, rate_limit_answers_429_when_spent) {
    emu.call("PUT", "/_emulator/rate-limit", {{"capacity", 3}, {"refill_per_minute", 0.001}});
    EXPECT_EQ(emu.call("GET", "/apps/shop").raw.header("RateLimit-Remaining"), "2");
    emu.call("GET", "/apps/shop");
    emu.call("GET", "/apps/shop");
    auto r = emu.call("GET", "/apps/shop");
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.body["id"], "rate_limit");
    EXPECT_EQ(r.raw.header("RateLimit-Remaining"), "0");
    EXPECT_EQ(emu.call("GET", "/account/rate-limits").body["remaining"], 0);
}

TEST_F(emulator_http, request_log_counts_every_heroku_answer_and_what_it_charged) {
    emu.call("PUT", "/_emulator/rate-limit", {{"capacity", 2}, {"refill_per_minute", 0}});
    emu.call("GET", "/apps/shop");                             // 200, charged
    emu.call("GET", "/account/rate-limits");                   // 200, free
    emu.call("GET", "/apps/nope");                             // 404, charged
    emu.call("GET", "/apps/shop");                             // 429, the budget is spent
    emu.call("GET", "/apps/shop", nullptr, {}, "wrong-token"); // 401
    auto log = emu.call("GET", "/_emulator/requests");
    ASSERT_EQ(log.status, 200);
    EXPECT_EQ(log.body["total"], 5);
    EXPECT_EQ(log.body["charged"], 2);
    EXPECT_EQ(log.body["dropped"], 0);
    EXPECT_EQ(log.body["by_status"]["200"], 2);
    EXPECT_EQ(log.body["by_status"]["404"], 1);
    EXPECT_EQ(log.body["by_status"]["429"], 1);
    EXPECT_EQ(log.body["by_status"]["401"], 1);
    const auto& entries = log.body["requests"];
    ASSERT_EQ(entries.size(), 5u);
    EXPECT_EQ(entries[0]["seq"], 1);
    EXPECT_EQ(entries[0]["method"], "GET");
    EXPECT_EQ(entries[0]["path"], "/apps/shop");
    EXPECT_EQ(entries[0]["charged"], true);
    EXPECT_GT(entries[0]["at_ms"].get<std::int64_t>(), 0);
    EXPECT_EQ(entries[1]["path"], "/account/rate-limits");
    EXPECT_EQ(entries[1]["charged"], false);
    EXPECT_EQ(entries[3]["status"], 429);
    EXPECT_EQ(entries[3]["charged"], false);
    // The control surface is not logged; `after` pages on; reset forgets.
    auto later = emu.call("GET", "/_emulator/requests?after=3");
    ASSERT_EQ(later.body["requests"].size(), 2u);
    EXPECT_EQ(later.body["requests"][0]["seq"], 4);
    EXPECT_EQ(later.body["total"], 5);
    EXPECT_EQ(emu.call("GET", "/_emulator/requests?after=x").status, 422);
    emu.call("POST", "/_emulator/reset");
    EXPECT_EQ(emu.call("GET", "/_emulator/requests").body["total"], 0);
}

TEST_F(emulator_http, status_fault_fires_first_n_times) {
    auto f = fault({{"method", "GET"},
                    {"route", "/apps/{app}"},
                    {"kind", "status"},
                    {"status", 503},
                    {"first_n", 1}});
    auto r = emu.call("GET", "/apps/shop");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body["id"], "service_unavailable");
    EXPECT_EQ(emu.call("GET", "/apps/shop").status, 200);
    EXPECT_EQ(fired(f["id"]), 1);
}

TEST_F(emulator_http, latency_fault_delays_the_answer) {
    auto f = fault({{"route", "/apps/{app}/formation"}, {"kind", "latency"}, {"latency_ms", 300}});
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(emu.call("GET", "/apps/shop/formation").status, 206);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(290));
    EXPECT_EQ(fired(f["id"]), 1);
}

TEST_F(emulator_http, reset_fault_drops_the_connection) {
    auto f = fault({{"route", "/apps/{app}"}, {"kind", "reset"}, {"first_n", 1}});
    // A fresh raw connection, so the client's one reconnect-and-retry cannot hide the reset.
    const auto raw = emu.client().send_raw("GET /apps/shop HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Authorization: Bearer test-token\r\n\r\n");
    EXPECT_EQ(raw, "");
    EXPECT_EQ(emu.call("GET", "/apps/shop").status, 200);
    EXPECT_EQ(fired(f["id"]), 1);
}

TEST_F(emulator_http, transfer_faults_stall_or_fail_the_transfer) {
    const auto backups = "/client/v11/databases/{database}/backups";
    auto stall = fault({{"route", backups}, {"kind", "transfer_stall"}, {"first_n", 1}});
    auto fail = fault({{"route", backups}, {"kind", "transfer_fail"}, {"first_n", 1}});
    const auto url = "/client/v11/databases/" + old_db["id"].get<std::string>() + "/backups";
    emu.call("POST", url);
    emu.call("POST", url);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto s = emu.call("GET", "/client/v11/apps/shop/transfers/b001").body;
    auto x = emu.call("GET", "/client/v11/apps/shop/transfers/b002?verbose=true").body;
    EXPECT_TRUE(s["finished_at"].is_null());
    EXPECT_FALSE(x["finished_at"].is_null());
    EXPECT_EQ(x["succeeded"], false);
    EXPECT_EQ(fired(stall["id"]), 1);
    EXPECT_EQ(fired(fail["id"]), 1);
}

TEST_F(emulator_http, provisioning_fault_ends_deprovisioned) {
    auto f =
        fault({{"method", "POST"}, {"route", "/apps/{app}/addons"}, {"kind", "provision_fail"}});
    auto r = create_new_db();
    EXPECT_EQ(emu.call("GET", "/apps/shop/addons/" + r["name"].get<std::string>()).body["state"],
              "deprovisioned");
    EXPECT_EQ(fired(f["id"]), 1);
}

TEST_F(emulator_http, garbage_fault_spoils_2xx_bodies_in_a_cycle_after_the_effect) {
    auto f =
        fault({{"method", "PATCH"}, {"route", "/apps/{app}"}, {"kind", "garbage"}, {"first_n", 4}});
    const auto real = emu.call("GET", "/apps/shop").raw.body;
    std::vector<std::string> bodies;
    for (bool on : {true, false, true, false}) {
        auto r = emu.call("PATCH", "/apps/shop", {{"maintenance", on}});
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.raw.header("Content-Length"), std::to_string(r.raw.body.size()));
        EXPECT_TRUE(r.raw.header("Request-Id"));
        bodies.push_back(r.raw.body);
    }
    // Truncated JSON (half of the real answer, which is about as long as the GET's), then
    // null, [] (a list in place of an object) and an object of the wrong shape.
    EXPECT_TRUE(json::parse(bodies[0], nullptr, false).is_discarded());
    EXPECT_NEAR(static_cast<double>(bodies[0].size()), real.size() / 2.0, 8.0);
    EXPECT_EQ(bodies[0].rfind(R"({")", 0), 0U);
    EXPECT_EQ(bodies[1], "null");
    EXPECT_EQ(bodies[2], "[]");
    EXPECT_EQ(json::parse(bodies[3]), json({{"unexpected", true}}));
    // Every request still took effect, and the fifth answer is whole again.
    EXPECT_EQ(ledger_count("maintenance"), 4);
    EXPECT_EQ(emu.call("PATCH", "/apps/shop", {{"maintenance", true}}).body["maintenance"], true);
    EXPECT_EQ(fired(f["id"]), 4);
}

// An empty list parses and would be a true answer: in place of a list the fault sends a
// list with a wrong item, never `[]`.
TEST_F(emulator_http, garbage_fault_never_forges_an_empty_list) {
    auto f = fault({{"method", "GET"},
                    {"route", "/apps/{app}/formation"},
                    {"kind", "garbage"},
                    {"first_n", 4}});
    std::vector<std::string> bodies;
    for (int i = 0; i < 4; ++i) {
        bodies.push_back(emu.call("GET", "/apps/shop/formation").raw.body);
    }
    EXPECT_TRUE(json::parse(bodies[0], nullptr, false).is_discarded());
    EXPECT_EQ(bodies[1], "null");
    EXPECT_EQ(json::parse(bodies[2]), json::parse(R"([{"unexpected":true}])"));
    EXPECT_EQ(json::parse(bodies[3]), json({{"unexpected", true}}));
    EXPECT_EQ(fired(f["id"]), 4);
}

TEST_F(emulator_http, garbage_fault_leaves_error_answers_alone) {
    auto f = fault({{"route", "/apps/{app}"}, {"kind", "garbage"}});
    auto r = emu.call("GET", "/apps/nope");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body["id"], "not_found");
    EXPECT_EQ(fired(f["id"]), 1);
}

TEST_F(emulator_http, database_of_shares_the_owners_add_on_which_stays_the_owners) {
    const auto id = old_db["id"].get<std::string>();
    auto seeded =
        emu.call("POST", "/_emulator/apps", {{"name", "reports"}, {"database_of", "shop"}});
    ASSERT_EQ(seeded.status, 201);
    EXPECT_EQ(seeded.body["addon"]["id"], id);
    EXPECT_EQ(seeded.body["addon"]["app"]["name"], "shop");
    auto attachments = emu.call("GET", "/apps/reports/addon-attachments").body;
    ASSERT_EQ(attachments.size(), 1U);
    EXPECT_EQ(attachments[0]["name"], "DATABASE");
    EXPECT_EQ(attachments[0]["app"]["name"], "reports");
    EXPECT_EQ(attachments[0]["addon"]["app"]["name"], "shop");
    EXPECT_EQ(emu.call("GET", "/apps/reports/addons/" + id).body["app"]["name"], "shop");
    EXPECT_EQ(emu.call("GET", "/apps/reports/config-vars").body["DATABASE_URL"],
              emu.call("GET", "/apps/shop/config-vars").body["DATABASE_URL"]);
    EXPECT_EQ(emu.call("GET", "/apps/shop/addons").body.size(), 1U);
    EXPECT_EQ(ledger_count("addon_created"), 0);

    // A transfer of the shared add-on is its owner's: read by the owner's name only.
    ASSERT_EQ(emu.call("POST", "/client/v11/databases/" + id + "/backups").status, 201);
    EXPECT_EQ(emu.call("GET", "/client/v11/apps/shop/transfers/b001").status, 200);
    EXPECT_EQ(emu.call("GET", "/client/v11/apps/reports/transfers/b001").status, 404);

    // Never destroyed through the app that only has it attached, nor silently by its owner
    // while another app uses it.
    auto through = emu.call("DELETE", "/apps/reports/addons/" + id);
    EXPECT_EQ(through.status, 422);
    EXPECT_NE(through.body["message"].get<std::string>().find("is on shop not reports"),
              std::string::npos);
    EXPECT_EQ(emu.call("DELETE", "/apps/shop/addons/" + id).status, 422);
    EXPECT_EQ(emu.call("GET", "/addons/" + id).body["state"], "provisioned");
    EXPECT_EQ(ledger_count("addon_destroyed"), 0);
    EXPECT_EQ(emu.call("DELETE", "/apps/shop/addons/" + id, {{"force", true}}).status, 200);
    EXPECT_EQ(ledger_count("addon_destroyed"), 1);
}

TEST_F(emulator_http, database_of_needs_an_app_with_a_database) {
    auto r = emu.call("POST", "/_emulator/apps", {{"name", "x"}, {"database_of", "nope"}});
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(emu.call("POST", "/_emulator/apps", {{"name", "x"}, {"database_of", 3}}).status, 422);
    EXPECT_EQ(emu.call("GET", "/apps/x").status, 404);
}

TEST_F(emulator_http, release_phase_fail_ends_releases_failed_with_heroku_fields) {
    ASSERT_EQ(
        emu.call("POST", "/_emulator/apps", {{"name", "phased"}, {"release_phase", "fail"}}).status,
        201);
    ASSERT_EQ(emu.call("PATCH", "/apps/phased/config-vars", {{"X", "1"}}).status, 200);
    auto failed = emu.call("GET", "/apps/phased/releases/1").body;
    EXPECT_EQ(failed["status"], "failed");
    EXPECT_EQ(failed["current"], false);
    EXPECT_EQ(failed["version"], 1);
    EXPECT_EQ(failed["description"], "Set X config vars");
    EXPECT_TRUE(failed["output_stream_url"].is_string());
    EXPECT_EQ(failed["eligible_for_rollback"], false);

    // Switched on the live app: the next release succeeds and becomes current.
    auto put = emu.call("PUT", "/_emulator/apps/phased/release-phase", {{"mode", "succeed"}});
    ASSERT_EQ(put.status, 200);
    ASSERT_EQ(emu.call("PATCH", "/apps/phased/config-vars", {{"X", "2"}}).status, 200);
    auto list = emu.call("GET", "/apps/phased/releases").body;
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[1]["status"], "succeeded");
    EXPECT_EQ(list[1]["current"], true);
    EXPECT_EQ(list[0]["current"], false);

    // `none` removes the release phase: no release entry, no output stream.
    ASSERT_EQ(emu.call("PUT", "/_emulator/apps/phased/release-phase", {{"mode", "none"}}).status,
              200);
    for (const auto& d : emu.call("GET", "/apps/phased/formation").body) {
        EXPECT_NE(d["type"], "release");
    }
    ASSERT_EQ(emu.call("PATCH", "/apps/phased/config-vars", {{"X", "3"}}).status, 200);
    EXPECT_TRUE(emu.call("GET", "/apps/phased/releases/3").body["output_stream_url"].is_null());

    EXPECT_EQ(emu.call("PUT", "/_emulator/apps/phased/release-phase", {{"mode", "maybe"}}).status,
              422);
    EXPECT_EQ(emu.call("PUT", "/_emulator/apps/nope/release-phase", {{"mode", "fail"}}).status,
              404);
    EXPECT_EQ(
        emu.call("POST", "/_emulator/apps", {{"name", "odd"}, {"release_phase", "maybe"}}).status,
        422);
}

TEST_F(emulator_http, data_api_errors_have_the_data_api_shape) {
    // wait_status during the first seconds after creation: the Data API's own 404 body.
    ASSERT_EQ(emu.call("PUT", "/_emulator/timings", {{"wait_status_404_ms", 60000}}).status, 200);
    const auto fresh = create_new_db();
    auto early =
        emu.call("GET", "/client/v11/databases/" + fresh["id"].get<std::string>() + "/wait_status");
    EXPECT_EQ(early.status, 404);
    EXPECT_EQ(early.body, json({{"error", "not found"}}));
    EXPECT_TRUE(early.raw.header("RateLimit-Remaining"));
    EXPECT_EQ(emu.call("GET", "/client/v11/databases/nope").body, json({{"error", "not found"}}));
    EXPECT_EQ(emu.call("GET", "/client/v11/apps/shop/transfers/b999").body,
              json({{"error", "not found"}}));
    auto invalid =
        emu.call("POST", "/client/v11/databases/" + old_db["id"].get<std::string>() + "/restores",
                 json::object());
    EXPECT_EQ(invalid.status, 422);
    EXPECT_EQ(invalid.body, json({{"error", "backup_url is required"}}));
    EXPECT_EQ(emu.call("GET", "/client/v11/databases/x", nullptr, {}, "wrong").status, 401);
    EXPECT_FALSE(
        emu.call("GET", "/client/v11/databases/x", nullptr, {}, "wrong").body.contains("id"));
    fault({{"route", "/client/v11/**"}, {"kind", "status"}, {"status", 503}, {"first_n", 1}});
    auto injected = emu.call("GET", "/client/v11/apps/shop/transfers");
    EXPECT_EQ(injected.status, 503);
    EXPECT_TRUE(injected.body.contains("error"));
    EXPECT_FALSE(injected.body.contains("id"));
    // The Platform API keeps its own shape.
    auto platform = emu.call("GET", "/apps/shop/addons/nope");
    EXPECT_EQ(platform.body["id"], "not_found");
    EXPECT_EQ(platform.body["resource"], "add_on");
    EXPECT_TRUE(platform.body.contains("message"));
}

TEST_F(emulator_http, plans_and_versions_outside_the_catalog_are_422) {
    const auto create = [&](const std::string& plan, json config) {
        return emu.call("POST", "/apps/shop/addons",
                        {{"plan", {{"name", plan}}}, {"config", std::move(config)}});
    };
    auto gigantic = create("heroku-postgresql:gigantic-99", json::object());
    EXPECT_EQ(gigantic.status, 422);
    EXPECT_EQ(gigantic.body["id"], "invalid_params");
    EXPECT_NE(gigantic.body["message"].get<std::string>().find("gigantic-99"), std::string::npos);
    auto hobby = create("heroku-postgresql:hobby-dev", json::object());
    EXPECT_EQ(hobby.status, 422);
    EXPECT_NE(hobby.body["message"].get<std::string>().find("no longer available"),
              std::string::npos);
    auto v99 = create("heroku-postgresql:standard-0", {{"version", "99"}});
    EXPECT_EQ(v99.status, 422);
    EXPECT_NE(v99.body["message"].get<std::string>().find("Available versions are 15, 16, 17"),
              std::string::npos);
    EXPECT_EQ(create("heroku-postgresql:standard-0", {{"version", "16.4"}}).status, 422);
    EXPECT_EQ(ledger_count("addon_created"), 0);
    EXPECT_EQ(emu.call("POST", "/_emulator/apps", {{"name", "x"}, {"plan", "heroku-postgresql:x"}})
                  .status,
              422);
    EXPECT_EQ(
        emu.call("POST", "/_emulator/apps", {{"name", "y"}, {"postgres_version", "9.6"}}).status,
        422);

    // Heroku's default major version when none is asked for; the other tiers all provision.
    auto plain = create("heroku-postgresql:premium-l-9", json::object());
    ASSERT_EQ(plain.status, 201);
    auto info =
        emu.call("GET", "/client/v11/databases/" + plain.body["id"].get<std::string>()).body;
    EXPECT_EQ(info["postgres_version"], "17");
    for (const auto* p : {"essential-0", "essential-2", "standard-9", "private-4", "shield-0"}) {
        EXPECT_EQ(create(std::string("heroku-postgresql:") + p, {{"version", "15"}}).status, 201)
            << p;
    }
}

TEST_F(emulator_http, plans_are_listed_as_platform_plan_objects) {
    auto first = emu.call("GET", "/addon-services/heroku-postgresql/plans");
    EXPECT_EQ(first.status, 206); // page size 2 in this fixture
    ASSERT_EQ(first.body.size(), 2U);
    EXPECT_TRUE(first.raw.header("Next-Range"));
    std::vector<std::string> names;
    auto page = first;
    while (true) {
        for (const auto& p : page.body) {
            names.push_back(p["name"]);
            EXPECT_TRUE(p["id"].is_string());
            EXPECT_TRUE(p["description"].is_string());
            EXPECT_EQ(p["addon_service"]["name"], "heroku-postgresql");
        }
        const auto next = page.raw.header("Next-Range");
        if (page.status == 200 || !next) {
            break;
        }
        page =
            emu.call("GET", "/addon-services/heroku-postgresql/plans", nullptr, {{"Range", *next}});
    }
    const auto has = [&](const std::string& n) {
        return std::find(names.begin(), names.end(), "heroku-postgresql:" + n) != names.end();
    };
    EXPECT_TRUE(has("essential-0"));
    EXPECT_TRUE(has("standard-0"));
    EXPECT_TRUE(has("standard-2"));
    EXPECT_TRUE(has("shield-9"));
    EXPECT_FALSE(has("standard-1"));
    EXPECT_FALSE(has("hobby-dev"));
    auto one = emu.call("GET", "/addon-services/heroku-postgresql/plans/standard-0");
    EXPECT_EQ(one.body["name"], "heroku-postgresql:standard-0");
    EXPECT_EQ(one.body["human_name"], "Standard 0");
    EXPECT_EQ(emu.call("GET", "/addon-services/heroku-postgresql/plans/huge").status, 404);
}

TEST(emulator_https, serves_over_tls_with_a_self_signed_cert) {
    const auto dir = std::filesystem::temp_directory_path() / "emulator-tls-test";
    std::filesystem::create_directories(dir);
    auto files = make_self_signed_cert(dir);
    running_emulator emu({}, files.cert_file, files.key_file);
    emu.call("POST", "/_emulator/apps", {{"name", "secure"}});
    auto r = emu.call("GET", "/apps/secure");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body["name"], "secure");
    std::filesystem::remove_all(dir);
}

} // namespace
