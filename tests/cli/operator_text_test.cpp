// Unit tests of what the CLI tells an operator at 2 a.m.: human units in history lines, no
// "0 B" for finished upgrades, the downtime so far, what a pause leaves down, what stays billed.
#include "cli/format.hpp"
#include "cli/render.hpp"
#include "cli/upgrade_view.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace pgshift::cli;
using nlohmann::json;

clock_time at(const char* rfc3339) {
    return *pgshift::parse_rfc3339(rfc3339);
}

json an_upgrade(const std::string& state) {
    return json{{"id", "3f1c0f9e-1111-4222-8333-444455556666"},
                {"app", "sushi"},
                {"plan", "heroku-postgresql:standard-0"},
                {"state", state},
                {"source_app", "sushi"},
                {"step_started_at", "2026-11-26T02:00:00.000Z"},
                {"source_addon", {{"id", "a1"}, {"name", "postgresql-curved-12345"}}},
                {"target_addon", {{"id", "a2"}, {"name", "pgshift-3f1c0f9e"}}},
                {"options", {{"remove_source_after", nullptr}, {"keep_target_on_rollback", false}}},
                {"created_at", "2026-11-26T02:00:00.000Z"},
                {"updated_at", "2026-11-26T02:10:00.000Z"}};
}

upgrade_view view(const json& j) {
    return *decode_upgrade(j);
}

event_view recorded(std::int64_t seq, const std::string& detail) {
    return {seq, "2026-11-26T02:05:00.000Z", "effect_recorded", "confirming", "confirming", detail};
}

TEST(cli_operator_text, byte_counts_in_history_read_in_human_units) {
    EXPECT_EQ(humanize_bytes("58012957 bytes"), "55.3 MiB");
    EXPECT_EQ(humanize_bytes("restore finished, 58012957 bytes"), "restore finished, 55.3 MiB");
    EXPECT_EQ(humanize_bytes("restore made no progress since 1024 bytes; 3 bytes"),
              "restore made no progress since 1.0 KiB; 3 B");
    // Not a count of bytes: left as it is.
    EXPECT_EQ(humanize_bytes("v2 bytes"), "v2 bytes");
    EXPECT_EQ(humanize_bytes("1.5 bytes"), "1.5 bytes");
    EXPECT_EQ(humanize_bytes("12 bytesize"), "12 bytesize");
    EXPECT_EQ(humanize_bytes(" bytes"), " bytes");
    EXPECT_EQ(humanize_bytes("99999999999999999999999 bytes"), "99999999999999999999999 bytes");
    EXPECT_EQ(humanize_bytes(""), "");
    const event_view e{
        7, "2026-11-26T02:05:00.000Z", "progress", "restoring", "restoring", "58012957 bytes"};
    EXPECT_EQ(render_event(e), "2026-11-26 02:05:00Z  progress          restoring  55.3 MiB");
}

TEST(cli_operator_text, finished_upgrades_show_no_zero_progress) {
    // The API keeps the last transfer's figures (0 once the step moved on).
    auto j = an_upgrade("succeeded");
    j["progress"] = {{"processed_bytes", 0}, {"total_bytes", nullptr}, {"message", ""}};
    const auto now = at("2026-11-26T03:00:00Z");
    EXPECT_EQ(render_list({view(j)}, now).find("0 B"), std::string::npos)
        << render_list({view(j)}, now);
    EXPECT_NE(render_list({view(j)}, now).find("succeeded  100%"), std::string::npos);
    EXPECT_EQ(render_status(view(j), now).find("progress"), std::string::npos)
        << render_status(view(j), now);
    j["state"] = "rolled_back";
    EXPECT_EQ(render_list({view(j)}, now).find("0 B"), std::string::npos);
    EXPECT_NE(render_list({view(j)}, now).find("rolled_back  -"), std::string::npos)
        << render_list({view(j)}, now);
    // Running: the progress stays.
    j["state"] = "restoring";
    j["progress"]["processed_bytes"] = 58012957;
    EXPECT_NE(render_status(view(j), now).find("progress    55.3 MiB"), std::string::npos)
        << render_status(view(j), now);
}

TEST(cli_operator_text, a_pause_in_maintenance_says_the_app_stays_down) {
    auto j = an_upgrade("restoring");
    j["paused"] = true;
    j["downtime"] = {{"began_at", "2026-11-26T02:00:13.000Z"},
                     {"ended_at", nullptr},
                     {"in_maintenance", true},
                     {"seconds", 221.5}};
    EXPECT_EQ(render_command("pause", view(j), at("2026-11-26T02:03:54.500Z")),
              "pause requested: 3f1c0f9e-1111-4222-8333-444455556666 (sushi), state restoring "
              "(paused)\n"
              "sushi stays in maintenance (down since 02:00:13Z, 3:41 so far) until you run: "
              "pgshift resume -a sushi  (or pgshift cancel -a sushi to roll back)\n");
    // Without the API's seconds, counted to now.
    j["downtime"].erase("seconds");
    EXPECT_NE(render_command("pause", view(j), at("2026-11-26T02:04:13.000Z")).find("4:00 so far"),
              std::string::npos);
    // Not down: no such line.
    j.erase("downtime");
    EXPECT_EQ(render_command("pause", view(j), at("2026-11-26T02:04:13.000Z")),
              "pause requested: 3f1c0f9e-1111-4222-8333-444455556666 (sushi), state restoring "
              "(paused)\n");
}

TEST(cli_operator_text, the_old_database_is_named_with_its_attachment_and_how_to_remove_it) {
    const std::vector<event_view> history{
        recorded(20, "confirmed: DATABASE_URL is pgshift-3f1c0f9e on standard-0; the old "
                     "database postgresql-curved-12345 stays attached as HEROKU_POSTGRESQL_ONYX")};
    EXPECT_EQ(describe_leftovers(view(an_upgrade("succeeded")), history),
              "the old database postgresql-curved-12345 (attached as HEROKU_POSTGRESQL_ONYX) is "
              "still provisioned and billed; remove it with: heroku addons:destroy "
              "postgresql-curved-12345 -a sushi");
    // The attachment not recorded (an older daemon): the rest still says it.
    EXPECT_EQ(describe_leftovers(view(an_upgrade("succeeded")), {}),
              "the old database postgresql-curved-12345 is still provisioned and billed; remove "
              "it with: heroku addons:destroy postgresql-curved-12345 -a sushi");
    // Removed by pgshift (remove_source_after): said so.
    auto removed = history;
    removed.push_back(recorded(25, "postgresql-curved-12345 destroyed"));
    EXPECT_EQ(describe_leftovers(view(an_upgrade("succeeded")), removed),
              "pgshift removed the old database postgresql-curved-12345: it is no longer billed");
    // Another app's database: never ours to remove.
    auto shared = an_upgrade("succeeded");
    shared["source_app"] = "sushi-shared";
    EXPECT_EQ(describe_leftovers(view(shared), history),
              "the old database postgresql-curved-12345 belongs to sushi-shared and stays there "
              "(pgshift never removes another app's database)");
    // Still running, or rolled back without keeping the target: nothing to say.
    EXPECT_EQ(describe_leftovers(view(an_upgrade("restoring")), history), "");
    EXPECT_EQ(describe_leftovers(view(an_upgrade("rolled_back")), history), "");
    auto kept = an_upgrade("rolled_back");
    kept["options"]["keep_target_on_rollback"] = true;
    EXPECT_EQ(describe_leftovers(view(kept), history),
              "the new database pgshift-3f1c0f9e was kept (keep_target_on_rollback) and is still "
              "provisioned and billed; remove it with: heroku addons:destroy pgshift-3f1c0f9e -a "
              "sushi");
}

} // namespace
