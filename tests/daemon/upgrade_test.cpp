// The happy path against the real emulator and real PostgreSQL: data, formation, DATABASE.
#include "tests/daemon/harness.hpp"
#include "tests/support/pg_query.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace pgshift::testing {
namespace {

TEST(upgrade, a_bigger_plan_with_a_pinned_version_moves_every_row_exactly_once) {
    auto dir = work_dir("happy");
    emulator emu(dir);
    emu.fast_timings();
    json seeded = emu.seed_app("sushi", "web=2 worker=3 release=0", sample_sql(3000));
    std::string old_addon = seeded["addon"]["name"];
    std::string old_url = emu.config_var("sushi", "DATABASE_URL");
    std::string before = content_digest(old_url);
    auto formation_before = formation_of(emu, "sushi");

    enqueue_upgrade(dir / "state", "sushi", "heroku-postgresql:standard-2", "16");
    daemon_run run = run_daemon(emu, dir / "state", {});
    ASSERT_TRUE(run.status.exited) << run.err;
    ASSERT_EQ(run.status.code, 0) << run.err;

    auto upgrades = stored_upgrades(dir / "state");
    ASSERT_EQ(upgrades.size(), 1U);
    const upgrade& u = upgrades[0];
    EXPECT_EQ(u.current, state::succeeded) << u.last_error;
    EXPECT_FALSE(u.needs_attention);
    // Every Heroku write is in the history: requested with an effect id, then its outcome.
    auto history = stored_events(dir / "state", u.id);
    EXPECT_EQ(effect_history_problems(history), "");
    std::vector<std::string> writes;
    for (const event_record& e : history) {
        if (e.type == event_type::effect_requested) {
            writes.push_back(e.detail.substr(0, e.detail.find(' ', e.detail.find(' ') + 1)));
        }
        if (e.type == event_type::effect_recorded && e.detail.starts_with("created add-on")) {
            EXPECT_EQ(e.identity, u.target_addon_id) << "the identity is a field, not only words";
            EXPECT_NE(e.effect_id, 0);
        }
    }
    // The seeded source has an alias already: none is attached for it.
    EXPECT_EQ(writes,
              (std::vector<std::string>{"create add-on", "maintenance on", "scale worker=0",
                                        "capture a", "restore b1", "promote " + u.target_addon_name,
                                        "attach the", "scale worker=3", "maintenance off"}));

    // DATABASE is the target, holding exactly the source's data.
    std::string new_url = emu.config_var("sushi", "DATABASE_URL");
    EXPECT_NE(new_url, old_url);
    EXPECT_EQ(content_digest(new_url), before);
    EXPECT_EQ(table_row_counts(new_url), table_row_counts(old_url));
    json attachments = emu.heroku("GET", "/apps/sushi/addon-attachments");
    bool database_is_target = false, old_keeps_alias = false, pooler_on_target = false;
    for (const json& a : attachments) {
        std::string name = a["name"], addon = a["addon"]["name"];
        database_is_target |= name == "DATABASE" && addon == u.target_addon_name;
        old_keeps_alias |= addon == old_addon && name.starts_with("HEROKU_POSTGRESQL_");
        pooler_on_target |= name == "DATABASE_CONNECTION_POOL" && addon == u.target_addon_name;
    }
    EXPECT_TRUE(database_is_target);
    EXPECT_TRUE(old_keeps_alias);
    EXPECT_TRUE(pooler_on_target);

    // The app is back as it was.
    EXPECT_EQ(formation_of(emu, "sushi"), formation_before);
    EXPECT_FALSE(emu.heroku("GET", "/apps/sushi")["maintenance"].get<bool>());
    json info = emu.heroku("GET", "/client/v11/databases/" + u.target_addon_id);
    EXPECT_EQ(info["plan"], "standard-2");

    auto ledger = emu.ledger_counts("sushi");
    EXPECT_EQ(ledger["addon_created"], 1);
    EXPECT_EQ(ledger["backup"], 1);
    EXPECT_EQ(ledger["restore"], 1);
    EXPECT_EQ(ledger["promotion"], 1);
    EXPECT_EQ(ledger["maintenance"], 2);
    EXPECT_EQ(ledger["formation"], 2);
    // The token never reaches the log.
    EXPECT_EQ(run.err.find(emulator_token), std::string::npos);
    EXPECT_EQ(run.err.find(old_url), std::string::npos);
}

} // namespace
} // namespace pgshift::testing
