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
        "        PROGRESS  UPDATED\n"
        "3f1c0f9e-1111-4222-8333-444455556666  sushi  heroku-postgresql:standard-0  restoring (p"
        "aused)  70%       12s ago\n"
        "9a8b7c6d-0000-4000-8000-000000000000  ramen  heroku-postgresql:standard-2  succeeded   "
        "        100%      2h ago\n");
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
              "2026-11-26 03:12:00Z  progress          restoring  1024 bytes");
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
