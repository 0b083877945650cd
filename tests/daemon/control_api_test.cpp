// The control API of a real pgshiftd over HTTP, against the emulator and real PostgreSQL:
// an upgrade driven only through the API, its event stream, operator commands, bad requests,
// metrics, and a SIGTERM drain in the middle of a restore.
#include "tests/daemon/harness.hpp"
#include "tests/support/pg_query.hpp"

#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <regex>
#include <set>
#include <signal.h>
#include <sstream>
#include <thread>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* api_token = "operator-secret-7432";

using headers = std::vector<std::pair<std::string, std::string>>;

class control_api : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = work_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
        emu_ = std::make_unique<emulator>(dir_);
        emu_->fast_timings();
        token_file_ = dir_ / "api-token";
        std::ofstream(token_file_) << api_token << '\n';
    }

    void start_daemon(std::vector<std::string> args = {}) {
        args.insert(args.end(), {"--api-token-file", token_file_.string()});
        daemon_ = std::make_unique<daemon_process>(*emu_, dir_ / "state", args);
    }

    http_reply call(const std::string& method, const std::string& target,
                    const json& body = nullptr, headers extra = {}) {
        extra.emplace_back("Authorization", std::string("Bearer ") + api_token);
        std::string text;
        if (!body.is_null()) {
            text = body.dump();
            extra.emplace_back("Content-Type", "application/json");
        }
        return daemon_->api().request(method, target, text, extra);
    }

    json get(const std::string& target) {
        http_reply r = call("GET", target);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        return json::parse(r.body);
    }

    // Polls the upgrade until `done` holds; the last answer either way.
    json wait_for(const std::string& id, const std::function<bool(const json&)>& done,
                  std::chrono::seconds limit = 60s) {
        json u;
        for (auto until = std::chrono::steady_clock::now() + limit;
             std::chrono::steady_clock::now() < until;) {
            u = get("/v1/upgrades/" + id);
            if (done(u)) {
                return u;
            }
            std::this_thread::sleep_for(50ms);
        }
        ADD_FAILURE() << "condition not reached within " << limit.count() << " s: " << u.dump()
                      << "\n"
                      << daemon_->err();
        return u;
    }

    static bool terminal(const json& u) {
        static const std::set<std::string> ends{"succeeded", "failed", "cancelled", "rolled_back"};
        return ends.contains(u.value("state", ""));
    }

    std::string start_upgrade(const std::string& app) {
        http_reply r =
            call("POST", "/v1/upgrades", {{"app", app}, {"plan", "heroku-postgresql:standard-0"}});
        EXPECT_EQ(r.status, 201) << r.body;
        return json::parse(r.body).value("id", "");
    }

    std::filesystem::path dir_;
    std::filesystem::path token_file_;
    std::unique_ptr<emulator> emu_;
    std::unique_ptr<daemon_process> daemon_;
};

// One Server-Sent Event: its id, event name and data.
struct sse_event {
    std::string id, event, data;
};

std::vector<sse_event> parse_sse(const std::string& raw) {
    std::vector<sse_event> out;
    auto body = raw.find("\r\n\r\n");
    std::istringstream in(body == std::string::npos ? raw : raw.substr(body + 4));
    sse_event e;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty()) {
            if (!e.event.empty() || !e.data.empty()) {
                out.push_back(e);
            }
            e = {};
        } else if (line.starts_with("id: ")) {
            e.id = line.substr(4);
        } else if (line.starts_with("event: ")) {
            e.event = line.substr(7);
        } else if (line.starts_with("data: ")) {
            e.data += line.substr(6);
        }
    }
    return out;
}

// Removes chunked framing: the stream comes as HTTP/1.1 chunks.
std::string unchunk(const std::string& raw) {
    auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos ||
        raw.substr(0, head_end).find("chunked") == std::string::npos) {
        return raw;
    }
    std::string out = raw.substr(0, head_end + 4);
    std::size_t at = head_end + 4;
    while (at < raw.size()) {
        auto eol = raw.find("\r\n", at);
        if (eol == std::string::npos) {
            break;
        }
        std::size_t size = std::stoul(raw.substr(at, eol - at), nullptr, 16);
        if (size == 0) {
            break;
        }
        out += raw.substr(eol + 2, size);
        at = eol + 2 + size + 2;
    }
    return out;
}

TEST_F(control_api, an_upgrade_through_the_api_streams_every_event_and_moves_every_row) {
    emu_->seed_app("api-full", "web=1 worker=2 release=0", sample_sql(2000));
    const std::string before = content_digest(emu_->config_var("api-full", "DATABASE_URL"));
    start_daemon();

    http_reply created = call("POST", "/v1/upgrades",
                              {{"app", "api-full"}, {"plan", "heroku-postgresql:standard-0"}},
                              {{"Idempotency-Key", "full-1"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = json::parse(created.body)["id"];
    EXPECT_EQ(created.header("Location").value_or(""), "/v1/upgrades/" + id);

    // The stream from the first event to the end, read until the daemon closes it.
    http_client follower("127.0.0.1", daemon_->port());
    follower.set_timeout(90s);
    std::string raw = follower.send_raw("GET /v1/upgrades/" + id +
                                        "/events?follow=1 HTTP/1.1\r\nHost: pgshift\r\n"
                                        "Authorization: Bearer " +
                                        std::string(api_token) + "\r\n\r\n");
    ASSERT_NE(raw.find("text/event-stream"), std::string::npos) << raw.substr(0, 400);
    auto events = parse_sse(unchunk(raw));
    ASSERT_GE(events.size(), 3U) << raw;
    ASSERT_EQ(events.back().event, "end") << raw;
    json final_state = json::parse(events.back().data);
    EXPECT_EQ(final_state["state"], "succeeded") << final_state.dump();

    // Every history entry, in order, exactly once: the same as the history's list.
    json history = get("/v1/upgrades/" + id + "/events")["events"];
    ASSERT_EQ(history.size() + 1, events.size()) << raw;
    for (std::size_t i = 0; i < history.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(events[i].id, std::to_string(i + 1));
        EXPECT_EQ(events[i].event, history[i]["type"]);
        EXPECT_EQ(json::parse(events[i].data), history[i]);
    }

    json u = get("/v1/upgrades/" + id);
    EXPECT_EQ(u["state"], "succeeded");
    EXPECT_EQ(u["app"], "api-full");
    EXPECT_FALSE(u["target_addon"].is_null());
    // Recorded before scaling down: every process type but web.
    EXPECT_EQ(u["formation"], json::parse(R"([{"type":"worker","quantity":2}])")) << u.dump();
    EXPECT_GE(u["timings"].size(), 8U) << u.dump();
    // The downtime an operator reports: maintenance on to off, ended, within the upgrade; when
    // Heroku's capture and restore times are known, the overhead is the rest of it.
    const json& down = u["downtime"];
    ASSERT_TRUE(down.is_object()) << u.dump();
    EXPECT_EQ(down["in_maintenance"], false) << down.dump();
    ASSERT_TRUE(down["ended_at"].is_string()) << down.dump();
    EXPECT_LE(u["created_at"].get<std::string>(), down["began_at"].get<std::string>());
    EXPECT_LE(down["ended_at"].get<std::string>(), u["finished_at"].get<std::string>());
    EXPECT_GT(down["seconds"].get<double>(), 0.0) << down.dump();
    if (down["heroku_transfer_seconds"].is_number()) {
        EXPECT_NEAR(down["seconds"].get<double>(),
                    down["heroku_transfer_seconds"].get<double>() +
                        down["overhead_seconds"].get<double>(),
                    0.002)
            << down.dump();
    }
    EXPECT_EQ(final_state["downtime"], down) << "the stream's end shows it too";
    EXPECT_TRUE(u["waiting"].is_null()) << "nothing holds a finished upgrade back";
    EXPECT_EQ(content_digest(emu_->config_var("api-full", "DATABASE_URL")), before);
    auto ledger = emu_->ledger_counts("api-full");
    EXPECT_EQ(ledger["addon_created"], 1);
    EXPECT_EQ(ledger["restore"], 1);
    EXPECT_EQ(ledger["promotion"], 1);

    // The same key and body again: the same upgrade, nothing new started.
    http_reply again = call("POST", "/v1/upgrades",
                            {{"app", "api-full"}, {"plan", "heroku-postgresql:standard-0"}},
                            {{"Idempotency-Key", "full-1"}});
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json::parse(again.body)["id"], id);
    EXPECT_EQ(emu_->ledger_counts("api-full")["addon_created"], 1);

    // Metrics: every line is Prometheus text, and they say what happened.
    http_reply metrics = call("GET", "/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.header("Content-Type").value_or("").find("text/plain"), std::string::npos);
    const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")"
                            R"((,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? -?[0-9.eE+-]+(Inf)?$)");
    std::map<std::string, double> values;
    std::istringstream lines(metrics.body);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
            continue;
        }
        ASSERT_TRUE(std::regex_match(line, sample)) << line;
        values[line.substr(0, line.rfind(' '))] = std::stod(line.substr(line.rfind(' ') + 1));
    }
    EXPECT_EQ(values["pgshift_upgrades{state=\"succeeded\"}"], 1);
    EXPECT_GT(values["pgshift_heroku_requests_total{status=\"200\"}"], 10);
    EXPECT_GT(values["pgshift_step_duration_seconds_count{step=\"restoring\"}"], 0);
    EXPECT_EQ(values["pgshift_ready"], 1);
    EXPECT_EQ(daemon_->err().find(emulator_token), std::string::npos) << "token logged";
    EXPECT_EQ(daemon_->err().find(api_token), std::string::npos) << "API token logged";
}

TEST_F(control_api, idempotency_keys_and_one_active_upgrade_per_app) {
    emu_->seed_app("api-idem", "web=1 worker=1 release=0", sample_sql(100));
    emu_->control("PUT", "/_emulator/timings", {{"provisioning_ms", 30000}});
    start_daemon();
    const json body = {{"app", "api-idem"}, {"plan", "heroku-postgresql:standard-0"}};
    http_reply first = call("POST", "/v1/upgrades", body, {{"Idempotency-Key", "k-1"}});
    ASSERT_EQ(first.status, 201) << first.body;
    const std::string id = json::parse(first.body)["id"];

    http_reply replay = call("POST", "/v1/upgrades", body, {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(json::parse(replay.body)["id"], id);

    json other = body;
    other["plan"] = "heroku-postgresql:standard-2";
    http_reply reused = call("POST", "/v1/upgrades", other, {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(reused.status, 409) << reused.body;
    EXPECT_EQ(json::parse(reused.body)["id"], "conflict");

    http_reply second = call("POST", "/v1/upgrades", other);
    ASSERT_EQ(second.status, 409) << second.body;
    json err = json::parse(second.body);
    EXPECT_EQ(err["id"], "conflict");
    EXPECT_EQ(err["upgrade_id"], id);
    EXPECT_NE(err["message"].get<std::string>().find(id), std::string::npos) << err.dump();

    json listed = get("/v1/upgrades?app=api-idem");
    EXPECT_EQ(listed["upgrades"].size(), 1U) << listed.dump();

    // Cancelled while provisioning: rolled back, the half-made add-on destroyed.
    wait_for(id, [](const json& v) { return v["state"] == "provisioning"; });
    http_reply cancel = call("POST", "/v1/upgrades/" + id + "/cancel");
    EXPECT_EQ(cancel.status, 200) << cancel.body;
    json u = wait_for(id, terminal);
    EXPECT_EQ(u["state"], "rolled_back") << u.dump();
    http_reply late = call("POST", "/v1/upgrades/" + id + "/resume");
    EXPECT_EQ(late.status, 409) << late.body;
    EXPECT_EQ(json::parse(late.body)["id"], "invalid_state");
}

TEST_F(control_api, pause_at_a_boundary_resume_and_retry_a_failed_step) {
    emu_->seed_app("api-ops", "web=1 worker=1 release=0", sample_sql(500));
    const auto formation_before = formation_of(*emu_, "api-ops");
    start_daemon();
    const std::string id = start_upgrade("api-ops");
    ASSERT_FALSE(id.empty());
    http_reply early = call("POST", "/v1/upgrades/" + id + "/retry");
    EXPECT_EQ(early.status, 409) << "nothing to retry yet: " << early.body;

    // Once the app is down for the copy, pause: the step in hand finishes, then it waits.
    wait_for(id, [](const json& u) { return u["state"] == "capturing"; });
    http_reply paused = call("POST", "/v1/upgrades/" + id + "/pause");
    ASSERT_EQ(paused.status, 200) << paused.body;
    EXPECT_EQ(json::parse(paused.body)["paused"], true);
    json held = wait_for(id, [](const json& u) { return u["state"] != "capturing"; });
    std::this_thread::sleep_for(1500ms);
    json still = get("/v1/upgrades/" + id);
    EXPECT_EQ(still["state"], held["state"]) << "a paused upgrade moved on";
    EXPECT_EQ(still["updated_at"], held["updated_at"]) << still.dump();
    EXPECT_EQ(still["paused"], true);

    // Scaling back up will be refused once: after the promotion that needs an operator.
    emu_->fault({{"method", "PATCH"},
                 {"route", "/apps/api-ops/formation"},
                 {"kind", "status"},
                 {"status", 422},
                 {"first_n", 1}});
    ASSERT_EQ(call("POST", "/v1/upgrades/" + id + "/resume").status, 200);
    json stuck = wait_for(id, [](const json& u) { return u["needs_attention"] == true; });
    EXPECT_EQ(stuck["state"], "scaling_up") << stuck.dump();
    EXPECT_FALSE(stuck["last_error"].is_null());

    http_reply retried = call("POST", "/v1/upgrades/" + id + "/retry");
    ASSERT_EQ(retried.status, 200) << retried.body;
    json u = wait_for(id, terminal);
    EXPECT_EQ(u["state"], "succeeded") << u.dump();
    EXPECT_EQ(formation_of(*emu_, "api-ops"), formation_before);
    json history = get("/v1/upgrades/" + id + "/events")["events"];
    std::string types;
    for (const json& e : history) {
        types += e["type"].get<std::string>() + " ";
    }
    EXPECT_NE(types.find("paused"), std::string::npos) << types;
    EXPECT_NE(types.find("resumed"), std::string::npos) << types;
    EXPECT_NE(types.find("retried"), std::string::npos) << types;
}

TEST_F(control_api, bad_requests_get_clear_answers_and_change_nothing) {
    emu_->seed_app("api-bad", "web=1 worker=1 release=0", sample_sql(10));
    start_daemon();
    auto& api = daemon_->api();
    auto id_of = [](const http_reply& r) {
        return json::parse(r.body).value("id", "");
    };

    http_reply anon = api.request("GET", "/v1/upgrades");
    EXPECT_EQ(anon.status, 401);
    EXPECT_EQ(id_of(anon), "unauthorized");
    http_reply wrong = api.request("GET", "/v1/upgrades", "", {{"Authorization", "Bearer nope"}});
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(api.request("GET", "/healthz").status, 200) << "liveness needs no token";

    http_reply not_json =
        call("POST", "/v1/upgrades", nullptr, {{"Content-Type", "application/json"}});
    EXPECT_EQ(not_json.status, 400) << not_json.body;
    http_reply garbage = api.request("POST", "/v1/upgrades", "{\"app\": ",
                                     {{"Authorization", std::string("Bearer ") + api_token},
                                      {"Content-Type", "application/json"}});
    EXPECT_EQ(garbage.status, 400) << garbage.body;
    EXPECT_EQ(id_of(garbage), "bad_request");

    http_reply bad_plan =
        call("POST", "/v1/upgrades", {{"app", "api-bad"}, {"plan", "standard-0"}});
    EXPECT_EQ(bad_plan.status, 422) << bad_plan.body;
    EXPECT_EQ(json::parse(bad_plan.body)["field"], "plan");
    http_reply bad_version = call(
        "POST", "/v1/upgrades",
        {{"app", "api-bad"}, {"plan", "heroku-postgresql:standard-0"}, {"version", "16; DROP"}});
    EXPECT_EQ(bad_version.status, 422) << bad_version.body;
    EXPECT_EQ(json::parse(bad_version.body)["field"], "version");

    http_reply missing = call("GET", "/v1/upgrades/00000000-0000-4000-8000-000000000000");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(id_of(missing), "not_found");
    EXPECT_EQ(call("GET", "/v2/nothing").status, 404);
    http_reply method = call("DELETE", "/v1/upgrades");
    EXPECT_EQ(method.status, 405);
    EXPECT_EQ(id_of(method), "method_not_allowed");
    EXPECT_TRUE(method.header("Allow").has_value());

    http_reply huge =
        call("POST", "/v1/upgrades", {{"app", "api-bad"}, {"plan", std::string(200 * 1024, 'x')}});
    EXPECT_EQ(huge.status, 413);

    json listed = get("/v1/upgrades");
    EXPECT_TRUE(listed["upgrades"].empty()) << listed.dump();
    EXPECT_EQ(get("/healthz")["status"], "ok");
    EXPECT_EQ(get("/readyz")["status"], "ready");
}

TEST_F(control_api, sigterm_mid_restore_drains_and_the_upgrade_resumes_at_the_next_start) {
    emu_->seed_app("api-drain", "web=1 worker=1 release=0", sample_sql(200));
    const auto formation_before = formation_of(*emu_, "api-drain");
    // Restores stall until the daemon has been stopped once.
    json rule = emu_->fault({{"method", "POST"},
                             {"route", "/client/v11/databases/*/restores"},
                             {"kind", "transfer_stall"},
                             {"first_n", 1}});
    start_daemon();
    const std::string id = start_upgrade("api-drain");
    wait_for(id,
             [](const json& u) { return u["state"] == "restoring" && !u["restore"].is_null(); });

    auto began = std::chrono::steady_clock::now();
    auto status = daemon_->stop(SIGTERM, 30s);
    ASSERT_TRUE(status.has_value()) << "pgshiftd did not stop on SIGTERM\n" << daemon_->err();
    EXPECT_TRUE(status->exited && status->code == 0) << daemon_->err();
    EXPECT_LT(std::chrono::steady_clock::now() - began, 25s);
    daemon_.reset();

    // The next start adopts the restore in flight instead of starting another; it is still
    // stalled, so the operator is asked to look, and cancels: the app comes back as it was.
    start_daemon({"--stall-ms", "1500"});
    json u = wait_for(id, [](const json& v) { return v["needs_attention"] == true; });
    EXPECT_EQ(u["state"], "restoring") << u.dump();
    EXPECT_EQ(emu_->ledger_counts("api-drain")["restore"], 1) << "restored twice";
    ASSERT_EQ(call("POST", "/v1/upgrades/" + id + "/cancel").status, 200);
    u = wait_for(id, terminal);
    EXPECT_EQ(u["state"], "rolled_back") << u.dump();
    EXPECT_EQ(formation_of(*emu_, "api-drain"), formation_before);
    EXPECT_EQ(emu_->heroku("GET", "/apps/api-drain")["maintenance"], false);
}

// True when a line of the daemon's log has this journald priority ("<3>") and holds text.
bool logged(const std::string& log, const std::string& priority, const std::string& text) {
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with(priority) && line.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST_F(control_api, a_token_heroku_rejects_shows_in_readyz_in_the_refusal_and_in_the_log) {
    emu_->seed_app("api-token", "web=1 worker=1 release=0", sample_sql(10));
    const std::string queued =
        enqueue_upgrade(dir_ / "state", "api-token", "heroku-postgresql:standard-0");
    const auto wrong = dir_ / "wrong-heroku-token";
    std::ofstream(wrong) << "not-the-emulator-token\n";
    start_daemon({"--token-file", wrong.string()});
    const std::string reason =
        "Heroku rejected the API token (from token file " + wrong.string() + ")";

    http_reply ready;
    for (auto until = std::chrono::steady_clock::now() + 60s;
         std::chrono::steady_clock::now() < until;) {
        ready = call("GET", "/readyz");
        if (ready.status != 200) {
            break;
        }
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_EQ(ready.status, 503) << ready.body << "\n" << daemon_->err();
    json why = json::parse(ready.body);
    EXPECT_EQ(why["id"], "not_ready");
    EXPECT_NE(why["message"].get<std::string>().find(reason), std::string::npos) << why.dump();

    http_reply refused = call("POST", "/v1/upgrades",
                              {{"app", "api-token-new"}, {"plan", "heroku-postgresql:standard-0"}});
    ASSERT_EQ(refused.status, 503) << refused.body;
    json err = json::parse(refused.body);
    EXPECT_EQ(err["id"], "heroku_token_rejected");
    EXPECT_NE(err["message"].get<std::string>().find(reason), std::string::npos) << err.dump();
    EXPECT_TRUE(get("/v1/upgrades?app=api-token-new")["upgrades"].empty()) << "started anyway";

    // The upgrade queued before the start fails at its first request: an error, not info.
    json u = wait_for(queued, terminal);
    EXPECT_EQ(u["state"], "failed") << u.dump();
    const std::string log = daemon_->err();
    EXPECT_TRUE(logged(log, "<3>", reason)) << log;
    EXPECT_TRUE(logged(log, "<3>", "upgrade " + queued + " app=api-token pending -> failed"))
        << log;
    EXPECT_EQ(log.find("not-the-emulator-token"), std::string::npos) << "token logged";
}

TEST_F(control_api, heroku_out_of_reach_at_start_up_is_said_and_is_not_a_rejection) {
    emu_->seed_app("api-reach", "web=1 worker=1 release=0", sample_sql(10));
    emu_->fault({{"method", "GET"},
                 {"route", "/account/rate-limits"},
                 {"kind", "status"},
                 {"status", 503}});
    start_daemon();
    const std::string said = "cannot tell whether Heroku accepts the API token (from "
                             "$HEROKU_API_KEY)";
    for (auto until = std::chrono::steady_clock::now() + 90s;
         !logged(daemon_->err(), "<4>", said) && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(logged(daemon_->err(), "<4>", said)) << daemon_->err();
    EXPECT_EQ(get("/readyz")["status"], "ready");
    // A start waits for the check a little, then goes ahead: Heroku did not say no.
    http_reply started = call("POST", "/v1/upgrades",
                              {{"app", "api-reach"}, {"plan", "heroku-postgresql:standard-0"}});
    EXPECT_EQ(started.status, 201) << started.body;
}

// An operator reads failures at error priority: a rollback because provisioning failed is
// one; a rollback the operator asked for (cancel) is not.
TEST_F(control_api, a_rollback_after_a_failure_is_logged_as_an_error_a_cancel_is_not) {
    emu_->seed_app("api-fails", "web=1 worker=1 release=0", sample_sql(10));
    emu_->seed_app("api-cancels", "web=1 worker=1 release=0", sample_sql(10));
    emu_->fault(
        {{"method", "POST"}, {"route", "/apps/api-fails/addons"}, {"kind", "provision_fail"}});
    emu_->control("PUT", "/_emulator/timings", {{"provisioning_ms", 3000}}); // time to cancel
    start_daemon();
    const std::string failing = start_upgrade("api-fails");
    const std::string cancelled = start_upgrade("api-cancels");
    wait_for(cancelled, [](const json& v) { return v["state"] == "provisioning"; });
    ASSERT_EQ(call("POST", "/v1/upgrades/" + cancelled + "/cancel").status, 200);
    EXPECT_EQ(wait_for(failing, terminal)["state"], "rolled_back");
    EXPECT_EQ(wait_for(cancelled, terminal)["state"], "rolled_back");
    const std::string log = daemon_->err();
    EXPECT_TRUE(
        logged(log, "<3>", "upgrade " + failing + " app=api-fails rolling_back -> rolled_back"))
        << log;
    EXPECT_FALSE(logged(log, "<3>", "upgrade " + cancelled)) << log;
    EXPECT_TRUE(
        logged(log, "<6>", "upgrade " + cancelled + " app=api-cancels rolling_back -> rolled_back"))
        << log;
}

TEST_F(control_api, a_burst_of_starts_reuses_the_fresh_answer_about_the_token) {
    start_daemon();
    const std::string accepted = "Heroku accepts the API token (from $HEROKU_API_KEY)";
    for (auto until = std::chrono::steady_clock::now() + 30s;
         !logged(daemon_->err(), "<6>", accepted) && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_TRUE(logged(daemon_->err(), "<6>", accepted)) << daemon_->err();
    // Counts the checks from here on without changing them.
    const json counter = emu_->fault({{"method", "GET"},
                                      {"route", "/account/rate-limits"},
                                      {"kind", "latency"},
                                      {"latency_ms", 0}});
    for (int i = 0; i < 5; ++i) {
        http_reply r = call(
            "POST", "/v1/upgrades",
            {{"app", "api-burst-" + std::to_string(i)}, {"plan", "heroku-postgresql:standard-0"}});
        EXPECT_EQ(r.status, 201) << r.body;
    }
    int checks = -1;
    for (const json& rule : emu_->control("GET", "/_emulator/faults")) {
        if (rule["id"] == counter["id"]) {
            checks = rule["matched"].get<int>();
        }
    }
    EXPECT_GE(checks, 0) << "the counting rule is gone";
    EXPECT_LE(checks, 1) << "five starts made " << checks << " token checks";
}

} // namespace
} // namespace pgshift::testing
