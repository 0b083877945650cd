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
    for (auto key : {"version", "source_plan", "source_app", "source_version", "target_version",
                     "step_started_at", "progress", "maintenance_before", "source_addon",
                     "target_addon", "backup", "restore", "last_error", "finished_at"}) {
        EXPECT_TRUE(j.at(key).is_null()) << key;
    }
    EXPECT_EQ(j["formation"], json::array());
    EXPECT_EQ(j["timings"], json::array());
    EXPECT_EQ(j["options"], json::parse(R"({"verify":true,"allow_restore_warnings":false,
        "downtime_at":null,"remove_source_after":null,"webhook_url":null,
        "keep_target_on_rollback":false,"extensions":[]})"));
    EXPECT_EQ(j["created_at"], "1970-01-01T00:16:40.000Z");
    EXPECT_EQ(j["updated_at"], "1970-01-01T00:16:41.000Z");
    EXPECT_EQ(j.size(), 26u); // every field of the contract, and nothing else
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
    // 700 of 1000 bytes in 70 s: 10 B/s, 300 left, so 30 s.
    EXPECT_EQ(j["progress"], json::parse(R"({"processed_bytes":700,"total_bytes":1000,
        "percent":70.0,"eta_seconds":30,"message":"restoring table orders"})"));
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
    const auto text = render_metrics(m, true);
    for (auto line :
         {"pgshift_upgrades{state=\"pending\"} 0\n", "pgshift_upgrades{state=\"restoring\"} 1\n",
          "pgshift_step_duration_seconds_sum{step=\"restoring\"} 812.4\n",
          "pgshift_step_duration_seconds_count{step=\"restoring\"} 3\n",
          "pgshift_heroku_requests_total{status=\"200\"} 1532\n",
          "pgshift_heroku_requests_total{status=\"error\"} 2\n",
          "pgshift_heroku_rate_budget_remaining 4391\n", "pgshift_ready 1\n",
          "# TYPE pgshift_step_duration_seconds summary\n",
          "# TYPE pgshift_heroku_requests_total counter\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line;
    }
    m.rate_budget_remaining.reset();
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
