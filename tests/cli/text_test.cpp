// Unit tests of the CLI's pure text: bytes, durations, times, bars, tables, status, events.
#include "cli/commands.hpp"
#include "cli/endpoint.hpp"
#include "cli/format.hpp"
#include "cli/render.hpp"
#include "cli/terminal_text.hpp"
#include "cli/upgrade_view.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace pgshift::cli;
using nlohmann::json;

clock_time at(const char* rfc3339) {
    return *pgshift::parse_rfc3339(rfc3339);
}

json restoring_upgrade() {
    return json::parse(R"({
      "id": "3f1c0f9e-1111-4222-8333-444455556666", "app": "sushi",
      "plan": "heroku-postgresql:standard-0", "version": "16", "state": "restoring",
      "paused": false, "needs_attention": false, "attempt": 1,
      "step_started_at": "2026-11-26T03:12:09.120Z",
      "progress": {"processed_bytes": 73400320, "total_bytes": 104857600, "percent": 70.0,
                   "eta_seconds": 42, "message": "restoring table orders"},
      "formation": [{"type": "web", "quantity": 1}, {"type": "worker", "quantity": 3}],
      "maintenance_before": false,
      "source_addon": {"id": "a1", "name": "postgresql-shaped-12345"},
      "target_addon": {"id": "a2", "name": "pgshift-3f1c0f9e"},
      "backup": {"uuid": "b", "num": 7}, "restore": {"uuid": "r"}, "last_error": null,
      "timings": [
        {"step": "provisioning", "started_at": "2026-11-26T03:10:00.000Z",
         "finished_at": "2026-11-26T03:11:33.200Z", "seconds": 93.2},
        {"step": "restoring", "started_at": "2026-11-26T03:12:09.120Z", "finished_at": null,
         "seconds": null}],
      "options": {"verify": true},
      "created_at": "2026-11-26T03:10:00.000Z", "updated_at": "2026-11-26T03:13:00.000Z",
      "finished_at": null})");
}

upgrade_view restoring() {
    return *decode_upgrade(restoring_upgrade());
}

TEST(cli_format, bytes_use_binary_units_with_one_decimal) {
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(1023), "1023 B");
    EXPECT_EQ(format_bytes(1024), "1.0 KiB");
    EXPECT_EQ(format_bytes(73400320), "70.0 MiB");
    EXPECT_EQ(format_bytes(1610612736), "1.5 GiB");
    EXPECT_EQ(format_bytes(1048575), "1.0 MiB"); // never "1024.0 KiB"
    EXPECT_EQ(format_bytes(-5), "0 B");
}

TEST(cli_format, durations_read_like_a_clock) {
    EXPECT_EQ(format_duration(0.44), "0.4s");
    EXPECT_EQ(format_duration(9.3), "9.3s");
    EXPECT_EQ(format_duration(42), "42s");
    EXPECT_EQ(format_duration(93.2), "1m 33s");
    EXPECT_EQ(format_duration(2 * 3600 + 5 * 60), "2h 05m");
    EXPECT_EQ(format_duration(3 * 86400 + 4 * 3600), "3d 04h");
    EXPECT_EQ(format_duration(-3), "0.0s");
}

TEST(cli_format, times_parse_as_utc_and_print_to_the_second) {
    EXPECT_EQ(format_time("2026-11-26T03:12:09.120Z"), "2026-11-26 03:12:09Z");
    EXPECT_EQ(format_time("2026-11-26T05:12:09+02:00"), "2026-11-26 03:12:09Z");
    EXPECT_EQ(format_time(at("2026-11-26T03:12:09.999Z")), "2026-11-26 03:12:09Z");
    EXPECT_EQ(format_time("2026-13-01T00:00:00Z"), "2026-13-01T00:00:00Z");
    EXPECT_EQ(format_time("yesterday"), "yesterday");
    EXPECT_EQ(format_time(""), "-");
}

TEST(cli_format, ages_count_back_from_now) {
    const auto now = at("2026-11-26T03:13:00Z");
    EXPECT_EQ(format_age("2026-11-26T03:13:00Z", now), "just now");
    EXPECT_EQ(format_age("2026-11-26T03:12:48Z", now), "12s ago");
    EXPECT_EQ(format_age("2026-11-26T03:08:00Z", now), "5m ago");
    EXPECT_EQ(format_age("2026-11-26T00:13:00Z", now), "3h ago");
    EXPECT_EQ(format_age("2026-11-24T03:13:00Z", now), "2d ago");
    EXPECT_EQ(format_age("", now), "-");
}

TEST(cli_format, bars_have_their_width_and_clamp) {
    EXPECT_EQ(progress_bar(0.5, 12), "[#####-----]");
    EXPECT_EQ(progress_bar(0.0, 7), "[-----]");
    EXPECT_EQ(progress_bar(1.7, 7), "[#####]");
    EXPECT_EQ(progress_bar(std::nullopt, 7), "[-----]");
    EXPECT_EQ(progress_bar(0.5, 1).size(), 3U);
}

TEST(cli_format, endpoints_parse_http_and_unix) {
    std::string error;
    const auto tcp = parse_endpoint("http://127.0.0.1:7432", error);
    ASSERT_TRUE(tcp);
    EXPECT_FALSE(tcp->unix_socket);
    EXPECT_EQ(tcp->host, "127.0.0.1");
    EXPECT_EQ(tcp->port, 7432);
    EXPECT_EQ(parse_endpoint("http://localhost", error)->port, 80);
    EXPECT_EQ(parse_endpoint("localhost:9000", error)->port, 9000);
    EXPECT_EQ(parse_endpoint("http://[::1]:7432/", error)->host, "::1");
    EXPECT_EQ(parse_endpoint("http://h:1/pg/", error)->base_path, "/pg");
    const auto local = parse_endpoint("unix:/run/pgshift/api.sock", error);
    ASSERT_TRUE(local);
    EXPECT_TRUE(local->unix_socket);
    EXPECT_EQ(local->socket_path, "/run/pgshift/api.sock");
    for (const char* bad : {"unix:", "https://h:1", "ftp://h", "http://:80", "http://h:0",
                            "http://h:99999", "localhost", "http://h:x"}) {
        error.clear();
        EXPECT_FALSE(parse_endpoint(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(cli_render, tables_align_columns_without_trailing_spaces) {
    EXPECT_EQ(render_table({{"A", "BB", "C"}, {"long", "x", ""}}), "A     BB  C\nlong  x\n");
}

TEST(cli_render, list_shows_full_ids_states_progress_and_ages) {
    auto paused = restoring();
    paused.paused = true;
    auto done = *decode_upgrade(json{{"id", "9a8b7c6d-0000-4000-8000-000000000000"},
                                     {"app", "ramen"},
                                     {"plan", "heroku-postgresql:standard-2"},
                                     {"state", "succeeded"},
                                     {"updated_at", "2026-11-26T01:13:00Z"}});
    const auto text = render_list({paused, done}, at("2026-11-26T03:13:12Z"));
    EXPECT_EQ(
        text,
        "ID                                    APP    PLAN                          STATE       "
        "        PROGRESS  DOWNTIME  UPDATED\n"
        "3f1c0f9e-1111-4222-8333-444455556666  sushi  heroku-postgresql:standard-0  restoring (p"
        "aused)  70%       -         12s ago\n"
        "9a8b7c6d-0000-4000-8000-000000000000  ramen  heroku-postgresql:standard-2  succeeded   "
        "        100%      -         2h ago\n");
    EXPECT_EQ(render_list({}, at("2026-11-26T03:13:12Z")), "no upgrades\n");
}

TEST(cli_render, status_block_shows_everything_an_operator_needs) {
    auto u = restoring();
    u.needs_attention = true;
    u.last_error = "restore made no progress since 73400320 bytes";
    const auto text = render_status(u, at("2026-11-26T03:13:12.120Z"));
    EXPECT_EQ(text, "upgrade     3f1c0f9e-1111-4222-8333-444455556666\n"
                    "app         sushi\n"
                    "plan        heroku-postgresql:standard-0, Postgres 16\n"
                    "state       restoring\n"
                    "attention   needs attention\n"
                    "step        restoring, for 1m 03s\n"
                    "progress    70.0 MiB / 100.0 MiB  70.0%  ETA 42s  (restoring table orders)\n"
                    "formation   web=1 worker=3\n"
                    "source      postgresql-shaped-12345\n"
                    "target      pgshift-3f1c0f9e\n"
                    "created     2026-11-26 03:10:00Z\n"
                    "updated     2026-11-26 03:13:00Z (12s ago)\n"
                    "last error  restore made no progress since 73400320 bytes\n"
                    "timings\n"
                    "  provisioning          1m 33s\n"
                    "  restoring             1m 03s (running)\n");
}

TEST(cli_render, status_of_a_fresh_upgrade_shows_dashes_for_what_is_not_known_yet) {
    const auto u = *decode_upgrade(json{{"id", "x-1"},
                                        {"app", "sushi"},
                                        {"plan", "heroku-postgresql:standard-0"},
                                        {"version", nullptr},
                                        {"state", "pending"},
                                        {"progress", nullptr},
                                        {"formation", json::array()},
                                        {"source_addon", nullptr},
                                        {"last_error", nullptr}});
    const auto text = render_status(u, at("2026-11-26T03:13:12Z"));
    EXPECT_NE(text.find("plan        heroku-postgresql:standard-0\n"), std::string::npos);
    EXPECT_NE(text.find("progress    -\n"), std::string::npos);
    EXPECT_NE(text.find("formation   -\n"), std::string::npos);
    EXPECT_NE(text.find("last error  -\n"), std::string::npos);
    EXPECT_EQ(text.find("timings"), std::string::npos);
}

TEST(cli_render, event_lines_show_time_type_transition_and_detail) {
    EXPECT_EQ(render_event({1, "2026-11-26T03:10:00.000Z", "created", "", "pending", "requested"}),
              "2026-11-26 03:10:00Z  created           →pending  requested");
    EXPECT_EQ(render_event(
                  {2, "2026-11-26T03:10:01.000Z", "step_completed", "pending", "provisioning", ""}),
              "2026-11-26 03:10:01Z  step_completed    pending→provisioning");
    EXPECT_EQ(render_event({3, "2026-11-26T03:12:00.000Z", "progress", "restoring", "restoring",
                            "1024 bytes"}),
              "2026-11-26 03:12:00Z  progress          restoring  1.0 KiB"); // human units
    EXPECT_EQ(render_event({4, "2026-11-26T03:12:00.000Z", "paused", "", "", ""}),
              "2026-11-26 03:12:00Z  paused");
}

TEST(cli_render, progress_line_fits_the_terminal) {
    const auto now = at("2026-11-26T03:13:12.120Z");
    const auto line = render_progress_line(restoring(), now, 100);
    EXPECT_LE(line.size(), 99U);
    EXPECT_EQ(line.rfind("restoring  [", 0), 0U);
    EXPECT_NE(line.find("]  70.0%  70.0 MiB / 100.0 MiB  ETA 42s"), std::string::npos);
    EXPECT_LE(render_progress_line(restoring(), now, 40).size(), 39U);
    auto waiting = restoring();
    waiting.progress.reset();
    waiting.state = "provisioning";
    waiting.attempt = 2;
    EXPECT_EQ(render_progress_line(waiting, now, 100), "provisioning  attempt 2  1m 03s");
    EXPECT_EQ(render_progress_plain(restoring(), now),
              "2026-11-26 03:13:12Z  progress          restoring  70.0 MiB / 100.0 MiB  70.0%  "
              "ETA 42s  (restoring table orders)");
}

TEST(cli_render, progress_without_total_shows_bytes_only) {
    progress_view p;
    p.processed_bytes = 2048;
    EXPECT_EQ(describe_progress(p), "2.0 KiB");
    EXPECT_EQ(describe_progress(std::nullopt), "");
}

TEST(cli_render, start_command_and_outcome_lines) {
    const auto u = restoring();
    EXPECT_EQ(render_started(u, true),
              "3f1c0f9e-1111-4222-8333-444455556666\n"
              "started: sushi to heroku-postgresql:standard-0 (Postgres 16), state restoring; "
              "follow it with: pgshift watch 3f1c0f9e-1111-4222-8333-444455556666\n");
    EXPECT_NE(render_started(u, false).find("already started"), std::string::npos);
    EXPECT_EQ(render_command("pause", u),
              "pause requested: 3f1c0f9e-1111-4222-8333-444455556666 (sushi), state restoring\n");
    auto ended = u;
    ended.state = "rolled_back";
    ended.finished_at = "2026-11-26T03:22:03Z";
    ended.last_error = "restore failed";
    EXPECT_EQ(render_outcome(ended), "upgrade 3f1c0f9e-1111-4222-8333-444455556666 (sushi) "
                                     "rolled_back after 12m 03s: restore failed\n");
    ended.state = "succeeded";
    EXPECT_EQ(render_outcome(ended), "upgrade 3f1c0f9e-1111-4222-8333-444455556666 (sushi) "
                                     "succeeded after 12m 03s: now on "
                                     "heroku-postgresql:standard-0 (pgshift-3f1c0f9e)\n");
}

TEST(cli_format, clocks_count_minutes_and_seconds) {
    EXPECT_EQ(format_clock(0), "0:00");
    EXPECT_EQ(format_clock(7.4), "0:07");
    EXPECT_EQ(format_clock(221.5), "3:41");
    EXPECT_EQ(format_clock(3723), "1:02:03");
    EXPECT_EQ(format_clock(23.4, true), "0:23.4");
    EXPECT_EQ(format_clock(59.96, true), "0:59.9"); // cut, as a stopwatch
    EXPECT_EQ(format_clock(60, true), "1:00.0");
    EXPECT_EQ(format_clock(-0.6, true), "-0:00.6");
    EXPECT_EQ(format_clock(-0.01, true), "0:00.0"); // no "-0"
    EXPECT_EQ(format_time_of_day("2026-11-26T02:00:13.250Z"), "02:00:13Z");
    EXPECT_EQ(format_time_of_day("soon"), "soon");
    EXPECT_EQ(ordinal(1), "1st");
    EXPECT_EQ(ordinal(2), "2nd");
    EXPECT_EQ(ordinal(3), "3rd");
    EXPECT_EQ(ordinal(4), "4th");
    EXPECT_EQ(ordinal(11), "11th");
    EXPECT_EQ(ordinal(13), "13th");
    EXPECT_EQ(ordinal(22), "22nd");
    EXPECT_EQ(ordinal(111), "111th");
}

// Restoring since 02:00:13 with the app down: the API's answer at 02:03:54.5.
json down_upgrade() {
    auto j = restoring_upgrade();
    j["downtime"] = json::parse(R"({"began_at":"2026-11-26T02:00:13.000Z","ended_at":null,
        "in_maintenance":true,"seconds":221.5,"heroku_transfer_seconds":null,
        "overhead_seconds":null})");
    return j;
}

// Ended: 23.4 s down, 21 s of it Heroku's capture and restore.
json ended_upgrade() {
    auto j = restoring_upgrade();
    j["state"] = "succeeded";
    j["finished_at"] = "2026-11-26T03:22:03Z";
    j["downtime"] = json::parse(R"({"began_at":"2026-11-26T02:00:13.000Z",
        "ended_at":"2026-11-26T02:00:36.400Z","in_maintenance":false,"seconds":23.4,
        "heroku_transfer_seconds":21.0,"overhead_seconds":2.4})");
    return j;
}

TEST(cli_render, downtime_while_down_and_after) {
    const auto now = at("2026-11-26T02:03:54.500Z");
    EXPECT_EQ(describe_downtime(decode_upgrade(down_upgrade())->downtime, now),
              "in maintenance since 02:00:13Z (3:41 so far)");
    EXPECT_EQ(describe_downtime(decode_upgrade(ended_upgrade())->downtime, now),
              "downtime 0:23.4 (Heroku's capture + restore 0:21.0, pgshift's overhead 0:02.4)");
    // Heroku's times unknown (a rollback before the restore): the times instead.
    auto rolled = ended_upgrade();
    rolled["downtime"]["heroku_transfer_seconds"] = nullptr;
    rolled["downtime"]["overhead_seconds"] = nullptr;
    EXPECT_EQ(describe_downtime(decode_upgrade(rolled)->downtime, now),
              "downtime 0:23.4 (02:00:13Z to 02:00:36Z)");
    // An API without seconds: counted from the times.
    rolled["downtime"].erase("seconds");
    EXPECT_EQ(describe_downtime(decode_upgrade(rolled)->downtime, now),
              "downtime 0:23.4 (02:00:13Z to 02:00:36Z)");
    auto down = down_upgrade();
    down["downtime"].erase("seconds");
    EXPECT_EQ(describe_downtime(decode_upgrade(down)->downtime, now),
              "in maintenance since 02:00:13Z (3:41 so far)");
    // Before maintenance: nothing, and no line in status.
    EXPECT_EQ(describe_downtime(restoring().downtime, now), "");
    EXPECT_EQ(render_status(restoring(), now).find("downtime"), std::string::npos);
}

TEST(cli_render, status_and_outcome_show_the_downtime) {
    const auto now = at("2026-11-26T02:03:54.500Z");
    EXPECT_NE(render_status(*decode_upgrade(down_upgrade()), now)
                  .find("\ndowntime    in maintenance since 02:00:13Z (3:41 so far)\n"),
              std::string::npos);
    const auto ended = *decode_upgrade(ended_upgrade());
    EXPECT_NE(render_status(ended, now)
                  .find("\ndowntime    0:23.4 (Heroku's capture + restore "
                        "0:21.0, pgshift's overhead 0:02.4)\n"),
              std::string::npos)
        << render_status(ended, now);
    EXPECT_EQ(render_outcome(ended),
              "upgrade 3f1c0f9e-1111-4222-8333-444455556666 (sushi) succeeded after 12m 03s: now "
              "on heroku-postgresql:standard-0 (pgshift-3f1c0f9e)\n"
              "downtime 0:23.4 (Heroku's capture + restore 0:21.0, pgshift's overhead 0:02.4)\n");
}

TEST(cli_render, watch_shows_the_app_down_on_the_bar_and_the_plain_line) {
    const auto now = at("2026-11-26T02:03:54.500Z");
    const auto u = *decode_upgrade(down_upgrade());
    const auto line = render_progress_line(u, now, 120);
    EXPECT_EQ(line.rfind("restoring  down 3:41  [", 0), 0U) << line;
    EXPECT_EQ(render_progress_plain(u, now),
              "2026-11-26 02:03:54Z  progress          restoring  in maintenance since 02:00:13Z "
              "(3:41 so far)  70.0 MiB / 100.0 MiB  70.0%  ETA 42s  (restoring table orders)");
    auto scaling = u;
    scaling.progress.reset();
    scaling.state = "scaling_down";
    scaling.step_started_at = "2026-11-26T02:03:50.000Z";
    EXPECT_EQ(render_progress_line(scaling, now, 120), "scaling_down  down 3:41  4.5s");
}

TEST(cli_render, a_waiting_upgrade_says_why_and_its_place) {
    const auto now = at("2026-11-26T03:13:12.120Z");
    auto j = restoring_upgrade();
    j["state"] = "provisioning";
    j["progress"] = nullptr;
    j["waiting"] = json::parse(R"({"reason":"budget","place":3,
        "since":"2026-11-26T03:12:00.000Z","detail":"needs 41 calls, 12 free"})");
    const auto u = *decode_upgrade(j);
    EXPECT_EQ(describe_waiting(u.waiting),
              "waiting: budget (3rd in line): needs 41 calls, 12 free");
    EXPECT_NE(render_status(u, now).find("\nwaiting     budget (3rd in line): needs 41 calls, 12 "
                                         "free\n"),
              std::string::npos);
    EXPECT_EQ(render_progress_line(u, now, 120),
              "provisioning  1m 03s  waiting: budget (3rd in line): needs 41 calls, 12 free");
    EXPECT_EQ(render_progress_plain(u, now),
              "2026-11-26 03:13:12Z  progress          provisioning  waiting: budget (3rd in "
              "line): needs 41 calls, 12 free");
    EXPECT_NE(render_list({u}, now).find("provisioning (waiting: budget, 3rd)  -"),
              std::string::npos)
        << render_list({u}, now);
    j["waiting"] = json::parse(R"({"reason":"concurrency","place":1,"detail":""})");
    EXPECT_EQ(describe_waiting(decode_upgrade(j)->waiting), "waiting: concurrency (next in line)");
    j["waiting"] = nullptr;
    EXPECT_EQ(describe_waiting(decode_upgrade(j)->waiting), "");
}

TEST(cli_render, list_shows_downtime_so_far_and_final) {
    const auto now = at("2026-11-26T02:03:54.500Z");
    const auto text =
        render_list({*decode_upgrade(down_upgrade()), *decode_upgrade(ended_upgrade())}, now);
    EXPECT_NE(text.find("  70%       down 3:41  "), std::string::npos) << text;
    EXPECT_NE(text.find("  succeeded  100%      0:23.4     "), std::string::npos) << text;
}

// Between Heroku's reports the API extrapolates; the CLI marks what it shows as estimated.
TEST(cli_render, estimated_progress_is_marked) {
    auto j = restoring_upgrade();
    j["progress"]["estimated_bytes"] = 76755763; // 73.2 MiB
    j["progress"]["estimated"] = true;
    j["progress"]["estimated_percent"] = 73.2;
    j["progress"]["estimated_eta_seconds"] = 38;
    const auto u = *decode_upgrade(j);
    EXPECT_EQ(describe_progress(u.progress),
              "~73.2 MiB / 100.0 MiB  ~73.2%  ETA ~38s (estimated)  (restoring table orders)");
    const auto line = render_progress_line(u, at("2026-11-26T03:13:12Z"), 100);
    EXPECT_NE(line.find("]  ~73.2%  ~73.2 MiB / 100.0 MiB  ETA ~38s"), std::string::npos) << line;
    EXPECT_NE(render_list({u}, at("2026-11-26T03:13:12Z")).find("  ~73%  "), std::string::npos);
    // estimated false: the report, unmarked, whatever the estimate fields say.
    j["progress"]["estimated"] = false;
    EXPECT_EQ(describe_progress(decode_upgrade(j)->progress),
              "70.0 MiB / 100.0 MiB  70.0%  ETA 42s  (restoring table orders)");
}

TEST(cli_decode, wrong_types_read_as_absent_and_garbage_is_refused) {
    EXPECT_FALSE(decode_upgrade(json::array()));
    EXPECT_FALSE(decode_upgrade(json{{"id", "x"}}));
    const auto u = decode_upgrade(json{{"id", "x"},
                                       {"state", "pending"},
                                       {"paused", "yes"},
                                       {"progress", 3},
                                       {"formation", "web=1"}});
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->paused);
    EXPECT_FALSE(u->progress);
    EXPECT_TRUE(u->formation.empty());
    EXPECT_FALSE(decode_event(json{{"type", "created"}}));
    EXPECT_EQ(decode_event(json{{"seq", 4}, {"from", nullptr}, {"to", "pending"}})->to, "pending");
}

TEST(cli_commands, start_body_holds_only_what_was_set) {
    start_args a;
    a.app = "sushi";
    a.plan = "heroku-postgresql:standard-0";
    EXPECT_EQ(json::parse(start_body(a)),
              json({{"app", "sushi"}, {"plan", "heroku-postgresql:standard-0"}}));
    a.version = "16";
    a.no_verify = true;
    a.remove_source_after = 3600;
    a.downtime_at = "2026-11-27T02:00:00Z";
    EXPECT_EQ(json::parse(start_body(a)), json({{"app", "sushi"},
                                                {"plan", "heroku-postgresql:standard-0"},
                                                {"version", "16"},
                                                {"verify", false},
                                                {"remove_source_after", 3600},
                                                {"downtime_at", "2026-11-27T02:00:00Z"}}));
    a.max_downtime_concurrency = 3;
    EXPECT_EQ(json::parse(start_body(a))["max_downtime_concurrency"], 3);
}

TEST(cli_commands, exit_code_follows_the_outcome) {
    EXPECT_EQ(exit_for_state("succeeded"), 0);
    EXPECT_EQ(exit_for_state("restoring"), 0);
    EXPECT_EQ(exit_for_state("failed"), 1);
    EXPECT_EQ(exit_for_state("rolled_back"), 1);
    EXPECT_EQ(exit_for_state("cancelled"), 1);
    EXPECT_TRUE(is_terminal_state("rolled_back"));
    EXPECT_FALSE(is_terminal_state("rolling_back"));
}

} // namespace

namespace {

// An ESC[2J in a Heroku error once cleared the operator's screen: every control a terminal
// acts on is shown, UTF-8 text is kept, and a byte that is not UTF-8 is U+FFFD.
TEST(cli_terminal_text, controls_are_shown_and_utf8_text_is_kept) {
    EXPECT_EQ(terminal_text("restore failed\x1b[2J\x1b]0;owned\x07"),
              "restore failed\\x1b[2J\\x1b]0;owned\\x07");
    EXPECT_EQ(terminal_text("line\nnext\r\ttab\x7f"), "line\\nnext\\r\\ttab\\x7f");
    EXPECT_EQ(terminal_text("\xc2\x9b"
                            "31m \xe2\x80\xae"
                            "txt.exe"),
              "\\u009b31m \\u202etxt.exe");
    EXPECT_EQ(terminal_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f"),
              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f");
    EXPECT_EQ(terminal_text("bad \xff\xc3 \xe0\x80\xaf"),
              "bad \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    EXPECT_EQ(terminal_text(terminal_text("\x1b[2J")), "\\x1b[2J") << "idempotent";
}

TEST(cli_terminal_text, json_stays_the_same_json_without_raw_controls) {
    const std::string raw = "{\"message\": \"a\x7f"
                            "b\xc2\x9b"
                            "c\xff\",\r\n \"n\": 1}\n";
    const std::string safe = terminal_json(raw);
    EXPECT_EQ(safe, "{\"message\": \"a\\u007fb\\u009bc\\ufffd\",\r\n \"n\": 1}\n");
    EXPECT_EQ(json::parse(safe)["message"], json::parse("\"a\x7f"
                                                        "b\xc2\x9b"
                                                        "c\xef\xbf\xbd\""));
}

// libpq's messages end in "\n"; older daemons stored them so: no blank or "\n"-ended line.
TEST(cli_decode, trailing_newlines_of_errors_are_dropped) {
    auto j = restoring_upgrade();
    j["state"] = "rolled_back";
    j["last_error"] = "query failed: ERROR:  relation \"x\" does not exist\n";
    const auto u = *decode_upgrade(j);
    EXPECT_EQ(u.last_error, "query failed: ERROR:  relation \"x\" does not exist");
    EXPECT_EQ(render_outcome(u), "upgrade " + u.id +
                                     " (sushi) rolled_back: query failed: ERROR:  relation \"x\" "
                                     "does not exist\n");
    EXPECT_EQ(render_status(u, at("2026-11-26T03:13:00Z")).find("\n\n"), std::string::npos);
}

TEST(cli_decode, every_string_from_the_api_is_terminal_safe) {
    auto j = restoring_upgrade();
    j["app"] = "sushi\x1b[2J";
    j["last_error"] = "ERROR: relation \"x\" does not exist\n\x1b[31mred";
    j["source_addon"]["name"] = "pg\xc2\x9b";
    j["progress"]["message"] = "table\x1b[K";
    const auto u = *decode_upgrade(j);
    EXPECT_EQ(u.app, "sushi\\x1b[2J");
    EXPECT_EQ(u.last_error, "ERROR: relation \"x\" does not exist\\n\\x1b[31mred");
    EXPECT_EQ(u.source_addon, "pg\\u009b");
    const auto status = render_status(u, at("2026-11-26T03:13:00Z"));
    EXPECT_EQ(status.find('\x1b'), std::string::npos) << status;
    EXPECT_NE(status.find("last error  ERROR: relation \"x\" does not exist\\n\\x1b[31mred\n"),
              std::string::npos)
        << status;
    const auto e = decode_event(json{{"seq", 3},
                                     {"at", "2026-11-26T03:15:00Z"},
                                     {"type", "step_failed"},
                                     {"from", "restoring"},
                                     {"to", "rolling_back"},
                                     {"detail", "pg_restore: \x1b[2J\n"}});
    ASSERT_TRUE(e);
    EXPECT_EQ(render_event(*e),
              "2026-11-26 03:15:00Z  step_failed       restoring→rolling_back  pg_restore: "
              "\\x1b[2J")
        << "no trailing \\n: it would read as part of the message";
}

} // namespace
