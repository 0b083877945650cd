// Unit tests of the control API's rendering: upgrade and event JSON, errors, metrics, SSE.
#include "api/control_json.hpp"
#include "api/control_metrics.hpp"
#include "api/control_sse.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pgshift::api {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

time_point at_s(std::int64_t seconds) {
    return time_point{std::chrono::seconds(seconds)};
}

upgrade fresh() {
    upgrade u;
    u.id = "3f1c0f9e";
    u.request.app = "sushi";
    u.request.plan = "heroku-postgresql:standard-0";
    u.created_at = at_s(1000);
    u.updated_at = at_s(1001);
    return u;
}

TEST(control_render, fresh_upgrade_has_nulls_where_nothing_is_known) {
    const auto j = json::parse(render_upgrade({fresh(), {}}));
    EXPECT_EQ(j["id"], "3f1c0f9e");
    EXPECT_EQ(j["app"], "sushi");
    EXPECT_EQ(j["plan"], "heroku-postgresql:standard-0");
    EXPECT_EQ(j["state"], "pending");
    EXPECT_EQ(j["paused"], false);
    EXPECT_EQ(j["needs_attention"], false);
    EXPECT_EQ(j["attempt"], 0);
    for (auto key :
         {"version", "source_plan", "source_app", "source_version", "target_version",
          "step_started_at", "waiting", "progress", "downtime", "maintenance_before",
          "source_addon", "target_addon", "backup", "restore", "last_error", "finished_at"}) {
        EXPECT_TRUE(j.at(key).is_null()) << key;
    }
    EXPECT_EQ(j["formation"], json::array());
    EXPECT_EQ(j["timings"], json::array());
    EXPECT_EQ(j["options"], json::parse(R"({"verify":true,"allow_restore_warnings":false,
        "downtime_at":null,"remove_source_after":null,"webhook_url":null,
        "keep_target_on_rollback":false,"extensions":[],"max_downtime_concurrency":null})"));
    EXPECT_EQ(j["created_at"], "1970-01-01T00:16:40.000Z");
    EXPECT_EQ(j["updated_at"], "1970-01-01T00:16:41.000Z");
    EXPECT_EQ(j.size(), 28u); // every field of the contract, and nothing else
}

TEST(control_render, recorded_step_data_is_shown) {
    upgrade u = fresh();
    u.current = state::restoring;
    u.request.pg_version = "16";
    u.request.remove_source_after = 3600s;
    u.attempt = 2;
    u.step_started_at = at_s(2000);
    u.formation = {{"worker", 3}};
    u.original_maintenance = false;
    u.source_addon_id = "src-id";
    u.source_addon_name = "postgresql-shaped-12345";
    u.target_addon_name = "pgshift-3f1c0f9e";
    u.backup_uuid = "b-uuid";
    u.backup_num = 7;
    u.restore_uuid = "r-uuid";
    u.last_error = "boom";
    u.transfer = {700, 1000, "restoring table orders", at_s(2070), std::nullopt};
    u.finished_at = at_s(3000);
    u.request.extensions = {"hstore", "pg_trgm"};
    u.source_plan = "heroku-postgresql:essential-0";
    u.source_app = "owner-app";
    u.source_version = "15.4";
    u.target_version = "16";
    const std::vector<persistence::step_timing> timings{
        {state::pending, at_s(1000), at_s(1093) + 200ms},
        {state::restoring, at_s(2000), std::nullopt}};
    const auto j = json::parse(render_upgrade({u, timings}));
    EXPECT_EQ(j["version"], "16");
    EXPECT_EQ(j["attempt"], 2);
    EXPECT_EQ(j["formation"], json::parse(R"([{"type":"worker","quantity":3}])"));
    EXPECT_EQ(j["maintenance_before"], false);
    EXPECT_EQ(j["source_addon"],
              json::parse(R"({"id":"src-id","name":"postgresql-shaped-12345"})"));
    EXPECT_EQ(j["target_addon"], json::parse(R"({"id":null,"name":"pgshift-3f1c0f9e"})"));
    EXPECT_EQ(j["backup"], json::parse(R"({"uuid":"b-uuid","num":7})"));
    EXPECT_EQ(j["restore"], json::parse(R"({"uuid":"r-uuid"})"));
    EXPECT_EQ(j["last_error"], "boom");
    EXPECT_EQ(j["options"]["remove_source_after"], 3600);
    EXPECT_EQ(j["options"]["extensions"], json::parse(R"(["hstore","pg_trgm"])"));
    // Both versions shown: a major-version change is never silent.
    EXPECT_EQ(j["source_plan"], "heroku-postgresql:essential-0");
    EXPECT_EQ(j["source_app"], "owner-app");
    EXPECT_EQ(j["source_version"], "15.4");
    EXPECT_EQ(j["target_version"], "16");
    EXPECT_EQ(j["finished_at"], "1970-01-01T00:50:00.000Z");
    // 700 of 1000 bytes in 70 s: 10 B/s, 300 left, so 30 s. Heroku's start of the transfer is
    // not known, so nothing is extrapolated: the estimate repeats the report.
    EXPECT_EQ(j["progress"], json::parse(R"({"processed_bytes":700,"total_bytes":1000,
        "percent":70.0,"eta_seconds":30,"message":"restoring table orders",
        "estimated_bytes":700,"estimated":false,"estimated_percent":70.0,
        "estimated_eta_seconds":30})"));
    ASSERT_EQ(j["timings"].size(), 2u);
    EXPECT_EQ(j["timings"][0], json::parse(R"({"step":"pending",
        "started_at":"1970-01-01T00:16:40.000Z","finished_at":"1970-01-01T00:18:13.200Z",
        "seconds":93.2})"));
    EXPECT_TRUE(j["timings"][1]["finished_at"].is_null());
    EXPECT_TRUE(j["timings"][1]["seconds"].is_null());
}

TEST(control_render, progress_with_unknown_total_has_no_percent_or_eta) {
    upgrade u = fresh();
    u.backup_uuid = "b";
    u.transfer.processed_bytes = 5;
    const auto j = json::parse(render_upgrade({u, {}}));
    EXPECT_TRUE(j["progress"]["total_bytes"].is_null());
    EXPECT_TRUE(j["progress"]["percent"].is_null());
    EXPECT_TRUE(j["progress"]["eta_seconds"].is_null());
}

// A fixed "now" for the live fields: 1970-01-01T02:03:54.500Z.
const time_point now_fixed = at_s(7434) + 500ms;

json render_at(const upgrade& u, time_point now,
               std::optional<waiting_status> waiting = std::nullopt) {
    return json::parse(render_upgrade({u, {}, std::move(waiting), now}));
}

// In maintenance since 02:00:13.
upgrade in_maintenance() {
    upgrade u = fresh();
    u.current = state::restoring;
    u.downtime.began = at_s(7213);
    return u;
}

TEST(control_render, no_downtime_before_maintenance) {
    upgrade u = fresh();
    u.current = state::provisioning;
    EXPECT_TRUE(render_at(u, now_fixed)["downtime"].is_null());
    // Capture and restore times alone (never without a maintenance start) show nothing.
    u.downtime.capture_ms = 10'000;
    EXPECT_TRUE(render_at(u, now_fixed)["downtime"].is_null());
}

TEST(control_render, ongoing_downtime_counts_up_to_now) {
    const auto j = render_at(in_maintenance(), now_fixed)["downtime"];
    EXPECT_EQ(j, json::parse(R"({"began_at":"1970-01-01T02:00:13.000Z","ended_at":null,
        "in_maintenance":true,"seconds":221.5,"heroku_transfer_seconds":null,
        "overhead_seconds":null})"));
    // Heroku's times are not an overhead yet while the app is still down.
    upgrade u = in_maintenance();
    u.downtime.capture_ms = 10'000;
    u.downtime.restore_ms = 10'000;
    EXPECT_TRUE(render_at(u, now_fixed)["downtime"]["overhead_seconds"].is_null());
    // A clock behind the record (read before it was committed) shows no time, never less.
    EXPECT_EQ(render_at(u, at_s(7200))["downtime"]["seconds"], 0.0);
}

TEST(control_render, ended_downtime_shows_heroku_time_and_overhead) {
    upgrade u = in_maintenance();
    u.current = state::succeeded;
    u.downtime.ended = at_s(7236) + 400ms;
    u.downtime.capture_ms = 10'000;
    u.downtime.restore_ms = 11'000;
    const auto j = render_at(u, now_fixed)["downtime"];
    EXPECT_EQ(j, json::parse(R"({"began_at":"1970-01-01T02:00:13.000Z",
        "ended_at":"1970-01-01T02:00:36.400Z","in_maintenance":false,"seconds":23.4,
        "heroku_transfer_seconds":21.0,"overhead_seconds":2.4})"));
    // Final: a later answer shows the same figures.
    EXPECT_EQ(render_at(u, now_fixed + 3600s)["downtime"], j);
}

TEST(control_render, rollback_ended_downtime_without_a_restore_has_no_overhead) {
    upgrade u = in_maintenance();
    u.current = state::rolled_back;
    u.downtime.ended = at_s(7250);
    u.downtime.capture_ms = 10'000; // the restore failed: Heroku's time for it is unknown
    const auto j = render_at(u, now_fixed)["downtime"];
    EXPECT_EQ(j["in_maintenance"], false);
    EXPECT_EQ(j["ended_at"], "1970-01-01T02:00:50.000Z");
    EXPECT_EQ(j["seconds"], 37.0);
    EXPECT_TRUE(j["heroku_transfer_seconds"].is_null());
    EXPECT_TRUE(j["overhead_seconds"].is_null());
}

TEST(control_render, unknown_capture_time_has_no_overhead) {
    upgrade u = in_maintenance();
    u.current = state::succeeded;
    u.downtime.ended = at_s(7236);
    u.downtime.restore_ms = 10'000;
    const auto j = render_at(u, now_fixed)["downtime"];
    EXPECT_EQ(j["seconds"], 23.0);
    EXPECT_TRUE(j["heroku_transfer_seconds"].is_null());
    EXPECT_TRUE(j["overhead_seconds"].is_null());
}

// Restoring since Heroku's started_at 100 s; 1000 of 10000 bytes read at 200 s: 10 B/s.
upgrade transferring() {
    upgrade u = fresh();
    u.current = state::restoring;
    u.restore_uuid = "r";
    u.step_started_at = at_s(100);
    u.transfer = {1000, 10'000, "restoring", at_s(200), at_s(100)};
    return u;
}

TEST(control_render, progress_is_extrapolated_between_polls_at_the_measured_rate) {
    const auto p = render_at(transferring(), at_s(230))["progress"];
    // The report stays as Heroku made it.
    EXPECT_EQ(p["processed_bytes"], 1000);
    EXPECT_EQ(p["percent"], 10.0);
    EXPECT_EQ(p["eta_seconds"], 900);
    // 30 s later at 10 B/s: 1300 bytes, 8700 left, 870 s.
    EXPECT_EQ(p["estimated_bytes"], 1300);
    EXPECT_EQ(p["estimated"], true);
    EXPECT_EQ(p["estimated_percent"], 13.0);
    EXPECT_EQ(p["estimated_eta_seconds"], 870);
}

TEST(control_render, the_eta_after_a_resume_does_not_count_the_paused_time) {
    // Restoring was entered at 100 s while paused; resumed, the restore began on Heroku at
    // 1000 s and read 1000 of 10000 bytes by 1100 s: 10 B/s, 900 s left. Counting from the
    // step's start (900 s of it paused) would say 1 B/s and 9000 s.
    upgrade u = transferring();
    u.transfer = {1000, 10'000, "restoring", at_s(1100), at_s(1000)};
    const auto p = render_at(u, at_s(1100))["progress"];
    EXPECT_EQ(p["eta_seconds"], 900);
    EXPECT_EQ(p["estimated_eta_seconds"], 900);
}

TEST(control_render, estimate_is_capped_at_the_total) {
    const auto p = render_at(transferring(), at_s(5000))["progress"];
    EXPECT_EQ(p["estimated_bytes"], 10'000);
    EXPECT_EQ(p["estimated"], true);
    EXPECT_EQ(p["estimated_percent"], 100.0);
    EXPECT_EQ(p["estimated_eta_seconds"], 0);
    EXPECT_EQ(p["processed_bytes"], 1000);
}

TEST(control_render, no_estimate_without_a_rate_or_a_running_transfer) {
    const auto reported = [](const upgrade& u, time_point now) {
        const auto p = render_at(u, now)["progress"];
        EXPECT_EQ(p["estimated"], false);
        EXPECT_EQ(p["estimated_bytes"], p["processed_bytes"]);
        EXPECT_EQ(p["estimated_percent"], p["percent"]);
        EXPECT_EQ(p["estimated_eta_seconds"], p["eta_seconds"]);
    };
    upgrade u = transferring();
    u.transfer.started_at.reset(); // Heroku's start not read yet
    reported(u, at_s(230));
    u = transferring();
    u.transfer.started_at = u.transfer.at; // no time measured
    reported(u, at_s(230));
    u = transferring();
    u.transfer.processed_bytes = 0; // nothing moved yet
    reported(u, at_s(230));
    u = transferring();
    u.transfer.total_bytes.reset(); // nothing to cap it with
    reported(u, at_s(230));
    reported(transferring(), at_s(200)); // no time since the report
    reported(transferring(), at_s(150)); // a clock behind the report
    u = transferring();
    u.current = state::verifying; // the transfer is over
    reported(u, at_s(230));
    u = transferring();
    u.paused = true;
    reported(u, at_s(230));
    u = transferring();
    u.needs_attention = true; // perhaps stalled: the report is all there is
    reported(u, at_s(230));
}

TEST(control_render, waiting_shows_the_schedulers_reason_and_place) {
    upgrade u = fresh();
    EXPECT_TRUE(render_at(u, now_fixed)["waiting"].is_null());
    const auto j =
        render_at(u, now_fixed,
                  waiting_status{wait_reason::budget, 3, at_s(7200), "needs 41 calls, 12 free"});
    EXPECT_EQ(j["waiting"], json::parse(R"({"reason":"budget","place":3,
        "since":"1970-01-01T02:00:00.000Z","detail":"needs 41 calls, 12 free"})"));
    for (auto r : {wait_reason::window, wait_reason::concurrency, wait_reason::provisioning}) {
        EXPECT_EQ(render_at(u, now_fixed, waiting_status{r, 1, at_s(0), ""})["waiting"]["reason"],
                  std::string(to_string(r)));
    }
}

TEST(control_render, request_max_downtime_concurrency_is_shown) {
    upgrade u = fresh();
    u.request.max_downtime_concurrency = 4;
    EXPECT_EQ(render_at(u, now_fixed)["options"]["max_downtime_concurrency"], 4);
}

TEST(control_render, list_pages_show_live_fields_too) {
    upgrade u = in_maintenance();
    const auto j = json::parse(render_upgrade_page(
        {{u, {}, waiting_status{wait_reason::concurrency, 1, at_s(7000), "3 of 3"}, now_fixed}},
        std::nullopt));
    EXPECT_EQ(j["upgrades"][0]["downtime"]["seconds"], 221.5);
    EXPECT_EQ(j["upgrades"][0]["waiting"]["reason"], "concurrency");
}

TEST(control_render, event_shape) {
    event_record e{"u",
                   4,
                   at_s(5),
                   event_type::step_completed,
                   state::pending,
                   state::provisioning,
                   "line one\nline two"};
    const auto text = render_event(e);
    EXPECT_EQ(text.find('\n'), std::string::npos); // one line: fit for an SSE data field
    EXPECT_EQ(json::parse(text), json::parse(R"({"seq":4,"at":"1970-01-01T00:00:05.000Z",
        "type":"step_completed","from":"pending","to":"provisioning",
        "detail":"line one\nline two","effect_id":null,"identity":null})"));
    e.from.reset();
    EXPECT_TRUE(json::parse(render_event(e))["from"].is_null());
    EXPECT_EQ(json::parse(render_events({e, e}))["events"].size(), 2u);
}

// A Heroku write's history: the request and its outcome name the same effect id, and the
// outcome what Heroku called it (here the add-on's id).
TEST(control_render, effect_events_show_their_id_and_identity) {
    event_record e{"u",
                   7,
                   at_s(9),
                   event_type::effect_recorded,
                   state::provisioning,
                   state::provisioning,
                   "add-on created",
                   3,
                   "addon-5c1e"};
    auto j = json::parse(render_event(e));
    EXPECT_EQ(j["type"], "effect_recorded");
    EXPECT_EQ(j["effect_id"], 3);
    EXPECT_EQ(j["identity"], "addon-5c1e");
    e.type = event_type::effect_failed;
    e.identity.clear();
    j = json::parse(render_events({e}))["events"][0];
    EXPECT_EQ(j["type"], "effect_failed");
    EXPECT_EQ(j["effect_id"], 3);
    EXPECT_TRUE(j["identity"].is_null());
}

TEST(control_render, invalid_utf8_in_detail_is_replaced_not_thrown) {
    event_record e{
        "u", 1, at_s(1), event_type::step_failed, state::pending, state::pending, "bad \xff byte"};
    EXPECT_NO_THROW(json::parse(render_event(e)));
}

TEST(control_render, error_shapes) {
    EXPECT_EQ(json::parse(render_error(bad_request("nope"))),
              json::parse(R"({"id":"bad_request","message":"nope"})"));
    EXPECT_EQ(json::parse(render_error(invalid_param("app", "bad app"))),
              json::parse(R"({"id":"invalid_params","message":"bad app","field":"app"})"));
    EXPECT_EQ(json::parse(render_error(conflict("busy", "u-1"))),
              json::parse(R"({"id":"conflict","message":"busy","upgrade_id":"u-1"})"));
    EXPECT_EQ(json::parse(render_error(api_error{})),
              json::parse(R"({"id":"internal_error","message":"internal server error"})"));
}

TEST(control_render, upgrade_page) {
    const auto j = json::parse(render_upgrade_page({{fresh(), {}}}, std::string("u-9")));
    EXPECT_EQ(j["upgrades"].size(), 1u);
    EXPECT_EQ(j["next"], "u-9");
    EXPECT_TRUE(json::parse(render_upgrade_page({}, std::nullopt))["next"].is_null());
}

TEST(control_render, metrics_text) {
    metrics_snapshot m;
    m.upgrades_by_state = {{state::pending, 0}, {state::restoring, 1}};
    m.step_durations = {{state::restoring, 812'400, 3}};
    m.heroku_requests_by_status = {{"200", 1532}, {"error", 2}};
    m.rate_budget_remaining = 4391;
    m.apps_in_maintenance = 3;
    m.rate_budget_reserved = 150;
    m.waiting_by_reason = {{"budget", 2}, {"concurrency", 0}};
    const auto text = render_metrics(m, true);
    for (auto line :
         {"pgshift_upgrades{state=\"pending\"} 0\n", "pgshift_upgrades{state=\"restoring\"} 1\n",
          "pgshift_step_duration_seconds_sum{step=\"restoring\"} 812.4\n",
          "pgshift_step_duration_seconds_count{step=\"restoring\"} 3\n",
          "pgshift_heroku_requests_total{status=\"200\"} 1532\n",
          "pgshift_heroku_requests_total{status=\"error\"} 2\n",
          "pgshift_heroku_rate_budget_remaining 4391\n", "pgshift_ready 1\n",
          "pgshift_apps_in_maintenance 3\n", "pgshift_heroku_rate_budget_reserved 150\n",
          "pgshift_upgrades_waiting{reason=\"budget\"} 2\n",
          "pgshift_upgrades_waiting{reason=\"concurrency\"} 0\n",
          "# TYPE pgshift_step_duration_seconds summary\n",
          "# TYPE pgshift_heroku_requests_total counter\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line;
    }
    m.rate_budget_remaining.reset();
    m.rate_budget_reserved.reset();
    EXPECT_EQ(render_metrics(m, false).find("rate_budget"), std::string::npos);
    EXPECT_NE(render_metrics(m, false).find("pgshift_ready 0\n"), std::string::npos);
    m.heroku_requests_by_status = {{"we\"ird\\\n", 1}};
    EXPECT_NE(render_metrics(m, false).find(R"(status="we\"ird\\\n"} 1)"), std::string::npos);
}

TEST(control_render, sse_frame) {
    EXPECT_EQ(sse_frame(7, "created", R"({"a":1})"), "id: 7\nevent: created\ndata: {\"a\":1}\n\n");
    EXPECT_EQ(sse_frame(std::nullopt, "end", "{}"), "event: end\ndata: {}\n\n");
}

} // namespace
} // namespace pgshift::api
