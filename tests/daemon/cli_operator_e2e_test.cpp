// The pgshift CLI as an operator uses it, against a real pgshiftd, the emulator and a real
// PostgreSQL: start -a … --confirm … --watch, the history in words, human units, and the
// final line about the old add-on still billed; a failed restore's rollback summary.
#include "tests/daemon/cli_fixture.hpp"

#include <gtest/gtest.h>
#include <regex>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

class cli_operator_e2e : public cli_daemon_test {};

bool has(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

TEST_F(cli_operator_e2e, start_confirmed_with_dash_a_says_what_was_done_and_what_stays_billed) {
    emu_->seed_app("cli-op", "web=1 worker=3 release=0", sample_sql(500));
    daemon_process daemon(*emu_, dir_ / "state");

    // Off a terminal, without --confirm: refused, nothing started.
    cli_run refused =
        pgshift(daemon.url(), {"start", "-a", "cli-op", "--plan", "heroku-postgresql:standard-0"});
    EXPECT_EQ(refused.status.code, 2) << refused.err;
    EXPECT_TRUE(has(refused.err, "--confirm cli-op")) << refused.err;
    cli_run none = pgshift(daemon.url(), {"list", "-a", "cli-op"});
    EXPECT_EQ(none.out, "no upgrades\n") << none.out << none.err;

    cli_run watched =
        pgshift(daemon.url(), {"start", "-a", "cli-op", "--plan", "heroku-postgresql:standard-0",
                               "--confirm", "cli-op", "--watch"});
    ASSERT_EQ(watched.status.code, 0) << watched.out << watched.err;
    // The last line: the old add-on by name and attachment, and how to remove it.
    const std::regex billed("the old database (\\S+) \\(attached as (\\S+)\\) is still "
                            "provisioned and billed; remove it with: heroku addons:destroy (\\S+) "
                            "-a cli-op\n$");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(watched.out, m, billed)) << watched.out;
    EXPECT_EQ(m[1], m[3]);
    EXPECT_NE(m[2], "DATABASE");
    // Byte counts in human units, never "N bytes".
    EXPECT_FALSE(std::regex_search(watched.out, std::regex("[0-9] bytes"))) << watched.out;

    cli_run events = pgshift(daemon.url(), {"events", "-a", "cli-op"});
    EXPECT_EQ(events.status.code, 0) << events.err;
    EXPECT_TRUE(has(events.out, "worker=3 restored")) << events.out;
    EXPECT_TRUE(has(events.out, "  maintenance off\n")) << events.out;

    cli_run status = pgshift(daemon.url(), {"status", "-a", "cli-op"});
    EXPECT_EQ(status.status.code, 0) << status.err;
    EXPECT_TRUE(status.out.ends_with(m[0].str())) << status.out;
    EXPECT_FALSE(has(status.out, "0 B")) << status.out;
    cli_run listed = pgshift(daemon.url(), {"list", "-a", "cli-op"});
    EXPECT_TRUE(has(listed.out, "succeeded  100%")) << listed.out;
}

TEST_F(cli_operator_e2e, a_rollback_summary_names_what_it_undid) {
    emu_->seed_app("cli-oprb", "web=1 worker=3 release=0", sample_sql(50));
    emu_->fault({{"method", "POST"},
                 {"route", "/client/v11/databases/*/restores"},
                 {"kind", "transfer_fail"}});
    daemon_process daemon(*emu_, dir_ / "state");
    cli_run watched =
        pgshift(daemon.url(), {"start", "-a", "cli-oprb", "--plan", "heroku-postgresql:standard-0",
                               "--confirm", "cli-oprb", "--watch"});
    EXPECT_EQ(watched.status.code, 1) << watched.out << watched.err;
    EXPECT_TRUE(std::regex_search(watched.out,
                                  std::regex("rollback: restore stopped, worker=3 restored, "
                                             "maintenance off, target pgshift-\\S+ destroyed")))
        << watched.out;
    // Nothing is left billed by the upgrade: no such line.
    EXPECT_FALSE(has(watched.out, "billed")) << watched.out;
}

} // namespace
} // namespace pgshift::testing
