// The built pgshift binary as an operator meets it: -a/--app everywhere, start's
// confirmation (on a real pseudo-terminal), refusals, the 401 hint, the packaged socket as
// the default address, watch --json as a stream, and the final line about what stays billed.
#include "tests/api/server_fixture.hpp"
#include "tests/cli/fake_control_api.hpp"
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace {

using namespace pgshift::testing;
using nlohmann::json;
using namespace std::chrono_literals;

const std::string id1 = "3f1c0f9e-1111-4222-8333-444455556666";
const std::string plan = "heroku-postgresql:standard-0";

struct run_result {
    int code = -1;
    std::string out;
    std::string err;
};

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

// A pseudo-terminal whose slave end becomes pgshift's stdin: isatty(0) is true there, and
// what the test writes to the master is what the operator typed.
class pseudo_terminal {
public:
    pseudo_terminal() {
        master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
        if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) {
            throw std::runtime_error("no pseudo-terminal");
        }
        slave_path_ = ::ptsname(master_);
        // Held open so that what is typed before pgshift opens it waits in the terminal.
        slave_ = ::open(slave_path_.c_str(), O_RDWR | O_NOCTTY);
    }
    ~pseudo_terminal() {
        ::close(slave_);
        ::close(master_);
    }
    void type(const std::string& text) { (void)!::write(master_, text.data(), text.size()); }
    const std::string& slave_path() const { return slave_path_; }

private:
    int master_ = -1;
    int slave_ = -1;
    std::string slave_path_;
};

class cli_operator : public ::testing::Test {
protected:
    fake_control_api api;
    temp_dir dir;
    int runs = 0;

    // pgshift args against the fake API; stdin from `stdin_path` (default /dev/null).
    run_result run(std::vector<std::string> args, std::vector<std::string> env = {},
                   const std::string& stdin_path = "/dev/null", bool with_api = true) {
        ::unsetenv("PGSHIFT_API");
        ::unsetenv("PGSHIFT_API_TOKEN_FILE");
        if (with_api) {
            args.insert(args.begin(), {"--api", api.url()});
        }
        // The shell only redirects stdin; exec leaves pgshift itself as the child.
        std::string command = "exec \"$0\"";
        for (std::size_t i = 0; i < args.size(); ++i) {
            command += " \"${" + std::to_string(i + 1) + "}\"";
        }
        command += " < " + stdin_path;
        std::vector<std::string> argv{"/bin/sh", "-c", command, PGSHIFT_CLI_BIN};
        argv.insert(argv.end(), args.begin(), args.end());
        env.emplace_back("PGSHIFT_POLL_INTERVAL_MS=20");
        if (std::none_of(env.begin(), env.end(), [](const std::string& e) {
                return e.starts_with("PGSHIFT_DEFAULT_SOCKET=");
            })) {
            // The machine's own /run/pgshift/api.sock must not answer these tests.
            env.emplace_back("PGSHIFT_DEFAULT_SOCKET=" + dir.path() + "/no-such.sock");
        }
        const auto n = std::to_string(++runs);
        child_process child(argv, env, dir.path() + "/out" + n, dir.path() + "/err" + n);
        const auto status = child.wait_for(30s);
        run_result r{-1, child.out(), child.err()};
        if (!status) {
            ADD_FAILURE() << "pgshift still running after 30 s\n" << r.out << r.err;
            return r;
        }
        r.code = status->exited ? status->code : -1;
        return r;
    }

    void newest_of_sushi(const json& u) {
        api.answer("GET", "/v1/upgrades?app=sushi&limit=1", 200,
                   json{{"upgrades", json::array({u})}, {"next", nullptr}}.dump());
        api.answer("GET", "/v1/upgrades/" + id1, 200, u.dump());
    }
    std::vector<std::string> targets() {
        std::vector<std::string> out;
        for (const auto& r : api.requests()) {
            out.push_back(r.method + " " + r.target);
        }
        return out;
    }
};

TEST_F(cli_operator, dash_a_names_the_app_wherever_an_app_is_named) {
    newest_of_sushi(make_upgrade(id1, "sushi", "restoring"));
    api.answer("GET", "/v1/upgrades/" + id1 + "/events?after=0", 200,
               json{{"events", json::array()}}.dump());
    api.answer("POST", "/v1/upgrades/" + id1 + "/pause", 200,
               make_upgrade(id1, "sushi", "restoring").dump());
    api.answer("GET", "/v1/upgrades?app=sushi", 200,
               json{{"upgrades", json::array({make_upgrade(id1, "sushi", "restoring")})},
                    {"next", nullptr}}
                   .dump());
    for (const auto& args : std::vector<std::vector<std::string>>{{"status", "-a", "sushi"},
                                                                  {"status", "--app", "sushi"},
                                                                  {"events", "-a", "sushi"},
                                                                  {"pause", "-a", "sushi"}}) {
        const auto before = api.requests().size();
        const auto r = run(args);
        EXPECT_EQ(r.code, 0) << args[0] << ": " << r.err;
        const auto seen = targets();
        ASSERT_GE(seen.size(), before + 2) << args[0];
        EXPECT_EQ(seen[before], "GET /v1/upgrades?app=sushi&limit=1") << args[0];
    }
    EXPECT_EQ(targets().back(), "POST /v1/upgrades/" + id1 + "/pause");
    const auto listed = run({"list", "-a", "sushi"});
    EXPECT_EQ(listed.code, 0) << listed.err;
    EXPECT_EQ(targets().back(), "GET /v1/upgrades?app=sushi");
    // The positional ID keeps working; an ID and -a together, or neither, is a usage error.
    EXPECT_EQ(run({"status", id1}).code, 0);
    const auto both = run({"status", id1, "-a", "sushi"});
    EXPECT_EQ(both.code, 2);
    EXPECT_EQ(both.err, "pgshift: status: give an upgrade ID or -a APP, not both\n");
    const auto neither = run({"watch"});
    EXPECT_EQ(neither.code, 2);
    EXPECT_TRUE(contains(neither.err, "pgshift watch -a sushi")) << neither.err;
    // An app with no upgrade: a clear 404, never taken for an id.
    api.answer("GET", "/v1/upgrades?app=ramen&limit=1", 200,
               json{{"upgrades", json::array()}, {"next", nullptr}}.dump());
    const auto none = run({"status", "-a", "ramen"});
    EXPECT_EQ(none.code, 1);
    EXPECT_EQ(none.err, "pgshift: no upgrade of an app named \"ramen\"\n");
}

TEST_F(cli_operator, start_off_a_terminal_needs_confirm_naming_the_app) {
    api.answer("POST", "/v1/upgrades", 201, make_upgrade(id1, "sushi", "pending").dump());
    const auto refused = run({"start", "-a", "sushi", "--plan", plan});
    EXPECT_EQ(refused.code, 2);
    EXPECT_EQ(refused.out, "");
    EXPECT_TRUE(contains(refused.err, "add --confirm sushi to start it; nothing started"))
        << refused.err;
    const auto other = run({"start", "-a", "sushi", "--plan", plan, "--confirm", "ramen"});
    EXPECT_EQ(other.code, 2);
    EXPECT_EQ(other.err, "pgshift: --confirm ramen does not name the app to upgrade (sushi): "
                         "nothing started\n");
    EXPECT_TRUE(api.requests().empty()) << "nothing may be sent before the confirmation";

    const auto confirmed = run({"start", "-a", "sushi", "--plan", plan, "--confirm", "sushi"});
    EXPECT_EQ(confirmed.code, 0) << confirmed.err;
    EXPECT_TRUE(contains(confirmed.out, "started: sushi to " + plan)) << confirmed.out;
    ASSERT_EQ(api.requests().size(), 1U);
    EXPECT_EQ(json::parse(api.requests()[0].body), json({{"app", "sushi"}, {"plan", plan}}));
}

TEST_F(cli_operator, start_on_a_terminal_asks_for_the_app_name) {
    api.answer("POST", "/v1/upgrades", 201, make_upgrade(id1, "sushi", "pending").dump());
    {
        pseudo_terminal tty;
        tty.type("ramen\n");
        const auto wrong = run({"start", "-a", "sushi", "--plan", plan}, {}, tty.slave_path());
        EXPECT_EQ(wrong.code, 1);
        EXPECT_EQ(wrong.out, "");
        EXPECT_TRUE(contains(wrong.err, "type sushi to confirm (or re-run with --confirm sushi)"))
            << wrong.err;
        EXPECT_TRUE(contains(wrong.err, "pgshift: confirmation did not match sushi: nothing "
                                        "started\n"))
            << wrong.err;
        EXPECT_TRUE(api.requests().empty());
    }
    {
        pseudo_terminal tty;
        tty.type("sushi\n");
        const auto right = run({"start", "-a", "sushi", "--plan", plan}, {}, tty.slave_path());
        EXPECT_EQ(right.code, 0) << right.err;
        EXPECT_TRUE(contains(right.err, "this puts sushi in maintenance")) << right.err;
        EXPECT_TRUE(contains(right.out, "started: sushi")) << right.out;
        EXPECT_EQ(api.requests().size(), 1U);
    }
}

TEST_F(cli_operator, a_start_the_daemon_refuses_is_refused_at_once) {
    // What only the daemon can know (another upgrade of the app is active): its answer, at once.
    api.answer("POST", "/v1/upgrades", 409,
               R"({"id":"conflict","message":"sushi already has an active upgrade"})");
    for (const bool watch : {false, true}) {
        std::vector<std::string> args{"start", "-a", "sushi", "--plan", plan, "--confirm", "sushi"};
        if (watch) {
            args.push_back("--watch");
        }
        const auto r = run(args);
        EXPECT_EQ(r.code, 1);
        EXPECT_EQ(r.out, "") << "nothing said to be started";
        EXPECT_EQ(r.err, "pgshift: sushi already has an active upgrade\n");
    }
    EXPECT_EQ(api.requests().size(), 2U) << "one POST each, nothing followed";
}

TEST_F(cli_operator, a_start_the_daemon_would_refuse_is_refused_before_the_question) {
    // The daemon's own rules (api/control_validation), applied before asking: the operator
    // types nothing for a start that cannot be made, and hears the daemon's words.
    pseudo_terminal tty;
    const auto r = run({"start", "-a", "sushi", "--plan", "standard-0"}, {}, tty.slave_path());
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(contains(r.err, "pgshift: plan")) << r.err;
    EXPECT_TRUE(contains(r.err, "heroku-postgresql:<plan>")) << r.err;
    EXPECT_FALSE(contains(r.err, "to confirm")) << "asked for a start that cannot be made";
    const auto late = run(
        {"start", "-a", "sushi", "--plan", plan, "--downtime-at", "tonight", "--confirm", "sushi"});
    EXPECT_EQ(late.code, 1);
    EXPECT_TRUE(contains(late.err, "downtime_at")) << late.err;
    EXPECT_TRUE(api.requests().empty()) << "nothing sent";
}

TEST_F(cli_operator, status_shows_the_downtime_so_far_and_pause_says_the_app_stays_down) {
    auto down = make_upgrade(id1, "sushi", "restoring");
    down["downtime"] = {{"began_at", "2026-11-26T02:00:13.000Z"},
                        {"ended_at", nullptr},
                        {"in_maintenance", true},
                        {"seconds", 221.5},
                        {"heroku_transfer_seconds", nullptr},
                        {"overhead_seconds", nullptr}};
    newest_of_sushi(down);
    auto paused = down;
    paused["paused"] = true;
    api.answer("POST", "/v1/upgrades/" + id1 + "/pause", 200, paused.dump());
    const auto status = run({"status", "-a", "sushi"});
    EXPECT_EQ(status.code, 0) << status.err;
    EXPECT_TRUE(contains(status.out, "downtime    in maintenance since 02:00:13Z (3:41 so far)\n"))
        << status.out;
    const auto pause = run({"pause", "-a", "sushi"});
    EXPECT_EQ(pause.code, 0) << pause.err;
    EXPECT_TRUE(contains(pause.out, "sushi stays in maintenance (down since 02:00:13Z, 3:41 so "
                                    "far) until you run: pgshift resume -a sushi  (or pgshift "
                                    "cancel -a sushi to roll back)\n"))
        << pause.out;
}

TEST_F(cli_operator, a_401_hints_at_the_token_file) {
    api.answer("GET", "/v1/upgrades", 401,
               R"({"id":"unauthorized","message":"missing or wrong API token"})");
    const auto r = run({"list"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "pgshift: missing or wrong API token\n"
                     "pgshift: pgshiftd wants its API token: give the file it reads "
                     "(--api-token-file) with --token-file FILE or $PGSHIFT_API_TOKEN_FILE\n");
}

TEST_F(cli_operator, without_api_the_packaged_socket_is_used_when_it_exists) {
    const auto socket = dir.path() + "/api.sock";
    fake_control_api on_socket("unix:" + socket);
    on_socket.answer("GET", "/v1/upgrades/" + id1, 200,
                     make_upgrade(id1, "sushi", "restoring").dump());
    const auto r = run({"status", id1}, {"PGSHIFT_DEFAULT_SOCKET=" + socket}, "/dev/null", false);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "state       restoring\n")) << r.out;
    EXPECT_EQ(on_socket.requests().size(), 1U);
    // $PGSHIFT_API still comes first.
    const auto env =
        run({"status", id1},
            {"PGSHIFT_DEFAULT_SOCKET=" + socket, "PGSHIFT_API=unix:" + dir.path() + "/other.sock"},
            "/dev/null", false);
    EXPECT_EQ(env.code, 3);
    EXPECT_TRUE(contains(env.err, "unix:" + dir.path() + "/other.sock")) << env.err;
    EXPECT_EQ(on_socket.requests().size(), 1U);
    // --help says which default applies.
    const auto help = run({"--help"}, {}, "/dev/null", false);
    EXPECT_EQ(help.code, 0);
    EXPECT_TRUE(contains(help.out, "unix:/run/pgshift/api.sock when")) << help.out;
}

TEST_F(cli_operator, watch_json_streams_one_object_per_event_then_the_upgrade) {
    auto running = make_upgrade(id1, "sushi", "restoring");
    auto done = make_upgrade(id1, "sushi", "succeeded");
    const std::vector<json> events{
        make_event(1, "created", nullptr, "pending", ""),
        make_event(2, "progress", "restoring", "restoring", "58012957 bytes"),
        make_event(3, "step_completed", "restoring", "succeeded", "restoring done")};
    api.script(id1, {running, running, done}, {1, 2, 3}, events);
    const auto r = run({"--json", "watch", id1});
    EXPECT_EQ(r.code, 0) << r.err;
    std::istringstream lines(r.out);
    std::vector<json> objects;
    for (std::string line; std::getline(lines, line);) {
        objects.push_back(json::parse(line)); // each line one JSON document
    }
    ASSERT_EQ(objects.size(), 4U) << r.out;
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(objects[static_cast<std::size_t>(i)], events[static_cast<std::size_t>(i)]);
    }
    EXPECT_EQ(objects[3], done);
}

TEST_F(cli_operator, the_end_of_watch_and_status_say_what_stays_billed) {
    auto running = make_upgrade(id1, "sushi", "confirming");
    auto done = make_upgrade(id1, "sushi", "succeeded");
    done["source_app"] = "sushi";
    const std::vector<json> events{
        make_event(1, "created", nullptr, "pending", ""),
        make_event(2, "progress", "restoring", "restoring", "restore finished, 58012957 bytes"),
        make_event(3, "effect_recorded", "confirming", "confirming",
                   "confirmed: DATABASE_URL is pgshift-3f1c0f9e on standard-0; the old database "
                   "postgresql-shaped-12345 stays attached as HEROKU_POSTGRESQL_ONYX"),
        make_event(4, "step_completed", "confirming", "succeeded", "confirming done")};
    api.script(id1, {running, done}, {2, 4}, events);
    const auto billed = "the old database postgresql-shaped-12345 (attached as "
                        "HEROKU_POSTGRESQL_ONYX) is still provisioned and billed; remove it "
                        "with: heroku addons:destroy postgresql-shaped-12345 -a sushi\n";
    const auto watched = run({"watch", id1});
    EXPECT_EQ(watched.code, 0) << watched.err;
    EXPECT_TRUE(watched.out.ends_with(billed)) << watched.out;
    EXPECT_TRUE(contains(watched.out, "restore finished, 55.3 MiB")) << watched.out;
    EXPECT_FALSE(contains(watched.out, "58012957")) << watched.out;
    const auto status = run({"status", id1});
    EXPECT_EQ(status.code, 0) << status.err;
    EXPECT_TRUE(status.out.ends_with(billed)) << status.out;
    EXPECT_FALSE(contains(status.out, "progress")) << "no 0 B for a finished upgrade";
}

} // namespace
