// The pgshift CLI against a real pgshiftd, the emulator and real PostgreSQL: start, watch,
// status, list, and the exit codes an operator's scripts rely on (0, 1, 3).
#include "tests/daemon/cli_fixture.hpp"
#include "tests/support/pg_query.hpp"

#include <gtest/gtest.h>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

class cli_e2e : public cli_daemon_test {};

TEST_F(cli_e2e, start_and_watch_an_upgrade_to_its_end_then_read_it_back) {
    emu_->seed_app("cli-ok", "web=1 worker=1 release=0", sample_sql(500));
    const std::string before = content_digest(emu_->config_var("cli-ok", "DATABASE_URL"));
    daemon_process daemon(*emu_, dir_ / "state");

    cli_run started =
        pgshift(daemon.url(), {"start", "--app", "cli-ok", "--plan", "heroku-postgresql:standard-0",
                               "--confirm", "cli-ok"});
    ASSERT_EQ(started.status.code, 0) << started.out << started.err;
    EXPECT_NE(started.out.find("cli-ok"), std::string::npos) << started.out;

    cli_run watched = pgshift(daemon.url(), {"watch", "cli-ok"});
    EXPECT_TRUE(watched.status.exited);
    EXPECT_EQ(watched.status.code, 0) << watched.out << watched.err;
    EXPECT_NE(watched.out.find("succeeded"), std::string::npos) << watched.out;
    // Not a terminal: plain lines, no cursor movement.
    EXPECT_EQ(watched.out.find("\x1b["), std::string::npos) << watched.out;
    EXPECT_EQ(content_digest(emu_->config_var("cli-ok", "DATABASE_URL")), before);

    cli_run status = pgshift(daemon.url(), {"--json", "status", "cli-ok"});
    ASSERT_EQ(status.status.code, 0) << status.err;
    json u = json::parse(status.out);
    EXPECT_EQ(u["state"], "succeeded");
    EXPECT_EQ(u["app"], "cli-ok");
    // watch ends with the downtime; status and list show it.
    EXPECT_TRUE(u["downtime"].is_object()) << status.out;
    EXPECT_NE(watched.out.find("\ndowntime "), std::string::npos) << watched.out;
    cli_run human = pgshift(daemon.url(), {"status", "cli-ok"});
    EXPECT_EQ(human.status.code, 0) << human.err;
    EXPECT_NE(human.out.find("\ndowntime    "), std::string::npos) << human.out;

    cli_run listed = pgshift(daemon.url(), {"list"});
    EXPECT_EQ(listed.status.code, 0) << listed.err;
    EXPECT_NE(listed.out.find("cli-ok"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("succeeded"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("DOWNTIME"), std::string::npos) << listed.out;

    cli_run events = pgshift(daemon.url(), {"events", "cli-ok"});
    EXPECT_EQ(events.status.code, 0) << events.err;
    EXPECT_NE(events.out.find("promoting"), std::string::npos) << events.out;

    // A second upgrade of the app while none is active is fine; a bad plan is refused (1).
    cli_run refused = pgshift(
        daemon.url(), {"start", "--app", "cli-ok", "--plan", "standard-0", "--confirm", "cli-ok"});
    EXPECT_NE(refused.status.code, 0);
    EXPECT_NE(refused.err.find("plan"), std::string::npos) << refused.err;
}

TEST_F(cli_e2e, a_rolled_back_upgrade_exits_1_and_a_stopped_daemon_exits_3) {
    emu_->seed_app("cli-rb", "web=1 worker=1 release=0", sample_sql(50));
    emu_->fault({{"method", "POST"}, {"route", "/apps/*/addons"}, {"kind", "provision_fail"}});
    daemon_process daemon(*emu_, dir_ / "state");

    cli_run watched =
        pgshift(daemon.url(), {"start", "--app", "cli-rb", "--plan", "heroku-postgresql:standard-0",
                               "--watch", "--confirm", "cli-rb"});
    EXPECT_EQ(watched.status.code, 1) << watched.out << watched.err;
    EXPECT_NE(watched.out.find("rolled_back"), std::string::npos) << watched.out;
    cli_run status = pgshift(daemon.url(), {"status", "cli-rb"});
    EXPECT_EQ(status.status.code, 1) << status.out << status.err;
    // Provisioning failed: the app was never down, and nothing says it was.
    EXPECT_EQ(status.out.find("downtime"), std::string::npos) << status.out;

    const std::string url = daemon.url();
    auto stopped = daemon.stop(SIGTERM, 30s);
    ASSERT_TRUE(stopped && stopped->exited && stopped->code == 0);
    cli_run down = pgshift(url, {"status", "cli-rb"});
    EXPECT_EQ(down.status.code, 3) << down.out << down.err;
    EXPECT_NE(down.err.find(url.substr(7)), std::string::npos) << "names the address: " << down.err;
}

} // namespace
} // namespace pgshift::testing
