// The built pgshift binary against a fake control API: output, --json, requests, exit codes.
#include "tests/cli/cli_fixture.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace pgshift::testing;
using nlohmann::json;
using namespace std::chrono_literals;

const std::string id1 = "3f1c0f9e-1111-4222-8333-444455556666";

class cli_process : public cli_fake_api_test {
protected:
    recorded_request only_request() {
        const auto reqs = api.requests();
        EXPECT_EQ(reqs.size(), 1U);
        return reqs.empty() ? recorded_request{} : reqs.back();
    }
};

TEST_F(cli_process, start_sends_the_body_key_and_token_and_prints_the_id) {
    const auto served = make_upgrade(id1, "sushi", "pending");
    api.answer("POST", "/v1/upgrades", 201, served.dump());
    const auto token = write_file("token", "s3cret\n");
    const auto r = run_pgshift(with_api(
        {"--token-file", token, "start", "--app", "sushi", "--plan", "heroku-postgresql:standard-0",
         "--confirm", "sushi", "--version", "16", "--no-verify", "--remove-source-after", "3600",
         "--downtime-at", "2026-11-27T02:00:00Z", "--idempotency-key", "k-1"}));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, id1 +
                         "\nstarted: sushi to heroku-postgresql:standard-0 (Postgres 16), state "
                         "pending; follow it with: pgshift watch " +
                         id1 + "\n");
    const auto req = only_request();
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/v1/upgrades");
    EXPECT_EQ(req.authorization, "Bearer s3cret");
    EXPECT_EQ(req.idempotency_key, "k-1");
    EXPECT_EQ(req.content_type, "application/json");
    EXPECT_EQ(json::parse(req.body), json({{"app", "sushi"},
                                           {"plan", "heroku-postgresql:standard-0"},
                                           {"version", "16"},
                                           {"verify", false},
                                           {"remove_source_after", 3600},
                                           {"downtime_at", "2026-11-27T02:00:00Z"}}));
}

TEST_F(cli_process, start_json_prints_the_served_document) {
    const auto served = make_upgrade(id1, "sushi", "pending");
    api.answer("POST", "/v1/upgrades", 201, served.dump());
    const auto r = run_pgshift(with_api({"--json", "start", "--app", "sushi", "--plan",
                                         "heroku-postgresql:standard-0", "--confirm", "sushi"}));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), served);
    EXPECT_EQ(only_request().authorization, "");
}

TEST_F(cli_process, a_conflict_is_refused_with_the_apis_message_and_exit_1) {
    api.answer("POST", "/v1/upgrades", 409,
               R"({"id":"conflict","message":"app sushi already has an active upgrade",)"
               R"("upgrade_id":"3f1c0f9e-1111-4222-8333-444455556666"})");
    const auto r = run_pgshift(with_api({"start", "--app", "sushi", "--plan",
                                         "heroku-postgresql:standard-0", "--confirm", "sushi"}));
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "pgshift: app sushi already has an active upgrade (upgrade " + id1 + ")\n");
}

TEST_F(cli_process, list_filters_and_prints_a_table) {
    const json page = {{"upgrades", json::array({make_upgrade(id1, "sushi", "restoring")})},
                       {"next", nullptr}};
    api.answer("GET", "/v1/upgrades?state=restoring&app=sushi", 200, page.dump());
    const auto r = run_pgshift(with_api({"list", "--state", "restoring", "--app", "sushi"}));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(
        r.out.substr(0, r.out.find('\n')),
        "ID                                    APP    PLAN                          STATE      "
        "PROGRESS  DOWNTIME  UPDATED");
    EXPECT_TRUE(
        contains(r.out, std::string(id1) + "  sushi  heroku-postgresql:standard-0  restoring  -"));
    EXPECT_EQ(only_request().method, "GET");

    const auto j =
        run_pgshift(with_api({"list", "--json", "--state", "restoring", "--app", "sushi"}));
    EXPECT_EQ(j.code, 0) << j.err;
    EXPECT_EQ(json::parse(j.out), page);
}

TEST_F(cli_process, status_of_an_app_name_shows_its_newest_upgrade) {
    auto u = make_upgrade(id1, "sushi", "restoring");
    u["progress"] = {{"processed_bytes", 73400320},
                     {"total_bytes", 104857600},
                     {"percent", 70.0},
                     {"eta_seconds", 42},
                     {"message", "restoring"}};
    api.answer("GET", "/v1/upgrades?app=sushi&limit=1", 200,
               json{{"upgrades", json::array({u})}, {"next", nullptr}}.dump());
    api.answer("GET", "/v1/upgrades/" + id1, 200, u.dump());
    const auto r = run_pgshift(with_api({"status", "sushi"}));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "upgrade     " + id1 + "\n"));
    EXPECT_TRUE(contains(r.out, "state       restoring\n"));
    EXPECT_TRUE(contains(r.out, "progress    70.0 MiB / 100.0 MiB  70.0%  ETA 42s"));
    EXPECT_TRUE(contains(r.out, "formation   worker=3\n"));
    EXPECT_TRUE(contains(r.out, "target      pgshift-3f1c0f9e\n"));
    const auto reqs = api.requests();
    ASSERT_EQ(reqs.size(), 2U);
    EXPECT_EQ(reqs[0].target, "/v1/upgrades?app=sushi&limit=1");
    EXPECT_EQ(reqs[1].target, "/v1/upgrades/" + id1);

    const auto j = run_pgshift(with_api({"status", id1, "--json"})); // flags after the command
    EXPECT_EQ(j.code, 0) << j.err;
    EXPECT_EQ(json::parse(j.out), u);
}

TEST_F(cli_process, status_of_a_rolled_back_upgrade_exits_1) {
    api.answer("GET", "/v1/upgrades/" + id1, 200, make_upgrade(id1, "sushi", "rolled_back").dump());
    const auto r = run_pgshift(with_api({"status", id1}));
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(contains(r.out, "last error  restore failed\n"));
}

// Text from Heroku reaches the CLI through the API: printed, it must not drive the terminal
// (an ESC[2J in a Heroku error cleared the operator's screen), in text and in --json alike.
TEST_F(cli_process, heroku_text_cannot_drive_the_terminal) {
    auto u = make_upgrade(id1, "sushi", "rolled_back");
    u["last_error"] = "ERROR: pg_restore failed\n\x1b[2J\x1b[31mowned\x7f \xc2\x9b"
                      "0m";
    api.answer("GET", "/v1/upgrades/" + id1, 200, u.dump());
    api.answer("GET", "/v1/upgrades/" + id1 + "/events?after=0", 200,
               json{{"events", json::array({make_event(1, "step_failed", "restoring",
                                                       "rolling_back", "boom\x1b]0;x\x07\n")})}}
                   .dump());
    api.answer("POST", "/v1/upgrades/" + id1 + "/retry", 409,
               json{{"id", "invalid_state"}, {"message", "Heroku said \x1b[2Jno"}}.dump());
    // Raw DEL and C1 in strings: legal JSON that nlohmann's dump() does not escape.
    api.answer("GET", "/v1/upgrades", 200,
               "{\"upgrades\": [], \"next\": \"a\x7f\xc2\x9b"
               "b\"}");
    const auto no_controls = [](const std::string& text) {
        for (const unsigned char c : text) {
            if ((c < 0x20 && c != '\n') || c == 0x7f) {
                return false;
            }
        }
        return text.find("\xc2\x9b") == std::string::npos;
    };
    const auto status = run_pgshift(with_api({"status", id1}));
    EXPECT_EQ(status.code, 1);
    EXPECT_TRUE(no_controls(status.out)) << status.out;
    EXPECT_TRUE(contains(status.out, "last error  ERROR: pg_restore failed\\n\\x1b[2J\\x1b[31mowned"
                                     "\\x7f \\u009b0m\n"))
        << status.out;
    const auto events = run_pgshift(with_api({"events", id1}));
    EXPECT_TRUE(no_controls(events.out)) << events.out;
    EXPECT_TRUE(contains(events.out, "boom\\x1b]0;x\\x07\n")) << events.out;
    const auto refused = run_pgshift(with_api({"retry", id1}));
    EXPECT_EQ(refused.code, 1);
    EXPECT_EQ(refused.err, "pgshift: Heroku said \\x1b[2Jno\n");
    for (const auto& args : {std::vector<std::string>{"--json", "status", id1},
                             std::vector<std::string>{"--json", "events", id1},
                             std::vector<std::string>{"--json", "list"}}) {
        const auto j = run_pgshift(with_api(args));
        EXPECT_EQ(j.code, args[1] == "status" ? 1 : 0) << j.err;
        EXPECT_TRUE(no_controls(j.out)) << j.out;
        EXPECT_FALSE(json::parse(j.out, nullptr, false).is_discarded()) << j.out;
    }
    EXPECT_EQ(json::parse(run_pgshift(with_api({"--json", "status", id1})).out), u)
        << "the same JSON, only escaped";
}

TEST_F(cli_process, an_unknown_id_or_app_is_a_404_with_a_clear_message) {
    api.answer("GET", "/v1/upgrades?app=nosuch&limit=1", 200, R"({"upgrades":[],"next":null})");
    const auto r = run_pgshift(with_api({"status", "nosuch"}));
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "pgshift: no upgrade of an app named \"nosuch\" nor with that id\n");
}

TEST_F(cli_process, control_commands_post_to_their_routes) {
    for (const std::string command : {"pause", "resume", "cancel", "retry"}) {
        auto u = make_upgrade(id1, "sushi", "restoring");
        u["paused"] = command == "pause";
        api.answer("POST", "/v1/upgrades/" + id1 + "/" + command, 200, u.dump());
        const auto r = run_pgshift(with_api({command, id1}));
        EXPECT_EQ(r.code, 0) << command << r.err;
        const auto req = api.requests().back();
        EXPECT_EQ(req.method, "POST");
        EXPECT_EQ(req.target, "/v1/upgrades/" + id1 + "/" + command);
        EXPECT_EQ(req.body, "");
        const auto j = run_pgshift(with_api({"--json", command, id1}));
        EXPECT_EQ(json::parse(j.out), u) << command;
    }
    const auto r = run_pgshift(with_api({"pause", id1}));
    EXPECT_EQ(r.out, "pause requested: " + id1 + " (sushi), state restoring (paused)\n");
}

TEST_F(cli_process, an_illegal_command_is_409_and_exit_1) {
    api.answer(
        "POST", "/v1/upgrades/" + id1 + "/retry", 409,
        R"({"id":"invalid_state","message":"retry needs a failed step; this one is restoring"})");
    const auto r = run_pgshift(with_api({"retry", id1}));
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "pgshift: retry needs a failed step; this one is restoring\n");
}

TEST_F(cli_process, a_401_says_so) {
    api.answer("GET", "/v1/upgrades", 401,
               R"({"id":"unauthorized","message":"missing or wrong API token"})");
    const auto r = run_pgshift(with_api({"list"}));
    EXPECT_EQ(r.code, 1);
    // The API's words, then the hint (cli_operator.a_401_hints_at_the_token_file).
    EXPECT_TRUE(r.err.starts_with("pgshift: missing or wrong API token\n")) << r.err;
    EXPECT_TRUE(contains(r.err, "--token-file")) << r.err;
}

std::vector<json> history() {
    return {make_event(1, "created", nullptr, "pending", "requested"),
            make_event(2, "step_completed", "pending", "provisioning", ""),
            make_event(3, "step_completed", "provisioning", "restoring", ""),
            make_event(4, "progress", "restoring", "restoring", "52428800 bytes"),
            make_event(5, "step_failed", "restoring", "rolling_back", "restore failed"),
            make_event(6, "step_completed", "rolling_back", "rolled_back", "")};
}

// pending -> restoring (with progress) -> rolled_back, events appearing as it goes.
void script_rollback(fake_control_api& api) {
    auto restoring = make_upgrade(id1, "sushi", "restoring");
    restoring["progress"] = {{"processed_bytes", 52428800},
                             {"total_bytes", 104857600},
                             {"percent", 50.0},
                             {"eta_seconds", 30},
                             {"message", "running"}};
    api.script(id1,
               {make_upgrade(id1, "sushi", "pending"), restoring, restoring,
                make_upgrade(id1, "sushi", "rolled_back")},
               {1, 3, 4, 6}, history());
}

TEST_F(cli_process, events_prints_the_history) {
    script_rollback(api);
    const auto r = run_pgshift(with_api({"events", id1}));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "2026-11-26 03:11:00Z  created           →pending  requested\n");
    EXPECT_EQ(api.requests().back().target, "/v1/upgrades/" + id1 + "/events?after=0");
    const auto j = run_pgshift(with_api({"--json", "events", id1}));
    EXPECT_EQ(json::parse(j.out), json({{"events", json::array({history()[0]})}}));
}

TEST_F(cli_process, events_follow_streams_until_the_upgrade_ends) {
    script_rollback(api);
    const auto r = run_pgshift(with_api({"events", id1, "--follow"}));
    EXPECT_EQ(r.code, 0) << r.err;
    std::string expected;
    for (const auto& line : {"03:11:00Z  created           →pending  requested",
                             "03:12:00Z  step_completed    pending→provisioning",
                             "03:13:00Z  step_completed    provisioning→restoring",
                             "03:14:00Z  progress          restoring  50.0 MiB",
                             "03:15:00Z  step_failed       restoring→rolling_back  restore failed",
                             "03:16:00Z  step_completed    rolling_back→rolled_back"}) {
        expected += std::string("2026-11-26 ") + line + "\n";
    }
    EXPECT_EQ(r.out, expected);
}

TEST_F(cli_process, events_follow_json_prints_one_event_per_line) {
    script_rollback(api);
    const auto r = run_pgshift(with_api({"--json", "events", "-f", id1}));
    EXPECT_EQ(r.code, 0) << r.err;
    std::vector<json> lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(json::parse(line));
    }
    EXPECT_EQ(lines, history());
}

TEST_F(cli_process, watch_of_a_rolled_back_upgrade_prints_timestamped_lines_and_exits_1) {
    script_rollback(api);
    const auto r = run_pgshift(with_api({"watch", id1}));
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(contains(r.out, "2026-11-26 03:11:00Z  created           →pending  requested\n"));
    EXPECT_TRUE(
        contains(r.out, "  progress          restoring  50.0 MiB / 100.0 MiB  50.0%  ETA 30s"));
    EXPECT_TRUE(
        contains(r.out, "2026-11-26 03:16:00Z  step_completed    rolling_back→rolled_back\n"));
    EXPECT_TRUE(
        r.out.ends_with("upgrade " + id1 + " (sushi) rolled_back after 12m 03s: restore failed\n"))
        << r.out;
    EXPECT_FALSE(contains(r.out, "\x1b")) << "no terminal control codes when not a TTY";
}

TEST_F(cli_process, watch_on_a_terminal_redraws_a_progress_bar_in_place) {
    script_rollback(api);
    // script(1) gives pgshift a pseudo-terminal as stdout; -e passes its exit code on.
    const auto r = run_pgshift_command(
        {"/usr/bin/script", "-qfec",
         std::string(PGSHIFT_CLI_BIN) + " --api " + api.url() + " watch " + id1, "/dev/null"});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(contains(r.out, "\r\x1b[2Krestoring  [")) << r.out;
    EXPECT_TRUE(contains(r.out, "]  50.0%  50.0 MiB / 100.0 MiB  ETA 30s")) << r.out;
    EXPECT_TRUE(contains(r.out, "step_failed       restoring→rolling_back  restore failed"));
    EXPECT_FALSE(contains(r.out, "  progress  ")) << "the bar shows progress, not event lines";
    EXPECT_TRUE(contains(r.out, "rolled_back after 12m 03s: restore failed")) << r.out;
}

TEST_F(cli_process, watch_of_a_succeeded_upgrade_exits_0_and_json_is_the_final_document) {
    const auto done = make_upgrade(id1, "sushi", "succeeded");
    api.script(id1, {make_upgrade(id1, "sushi", "promoting"), done}, {0, 1},
               {make_event(1, "step_completed", "promoting", "succeeded", "")});
    const auto r = run_pgshift(with_api({"--json", "watch", id1}));
    EXPECT_EQ(r.code, 0) << r.err;
    // One event per line as it happens (JSON Lines), then the final document.
    const auto last_line = r.out.rfind('\n', r.out.size() - 2);
    ASSERT_NE(last_line, std::string::npos) << r.out;
    EXPECT_EQ(json::parse(r.out.substr(0, last_line)),
              make_event(1, "step_completed", "promoting", "succeeded", ""));
    EXPECT_EQ(json::parse(r.out.substr(last_line + 1)), done);
}

TEST_F(cli_process, start_watch_follows_the_new_upgrade) {
    api.answer("POST", "/v1/upgrades", 201, make_upgrade(id1, "sushi", "pending").dump());
    api.script(id1, {make_upgrade(id1, "sushi", "succeeded")}, {0}, {});
    const auto r =
        run_pgshift(with_api({"start", "--app", "sushi", "--plan", "heroku-postgresql:standard-0",
                              "--watch", "--confirm", "sushi"}));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with(id1 + "\nstarted: "));
    EXPECT_TRUE(contains(r.out, "succeeded after 12m 03s"));
}

} // namespace
