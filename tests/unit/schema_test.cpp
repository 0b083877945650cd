// Migrations: fresh files, upgrades from older schemas, refusal of newer ones.
#include "persistence/schema.hpp"
#include "persistence/upgrade_store.hpp"
#include "tests/unit/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

namespace pgshift::persistence {
namespace {

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(schema, a_new_file_migrates_to_latest) {
    testing::temp_dir dir;
    sqlite::database db(dir / "s.db");
    EXPECT_EQ(schema_version(db), 0);
    migrate(db);
    EXPECT_EQ(schema_version(db), latest_schema_version());
    EXPECT_GE(latest_schema_version(), 2);
}

TEST(schema, migrating_twice_changes_nothing) {
    testing::temp_dir dir;
    sqlite::database db(dir / "s.db");
    migrate(db);
    migrate(db);
    EXPECT_EQ(schema_version(db), latest_schema_version());
}

TEST(schema, a_v1_database_with_data_migrates_forward) {
    testing::temp_dir dir;
    sqlite::database db(dir / "s.db");
    migrate(db, 1);
    ASSERT_EQ(schema_version(db), 1);
    // A row as schema 1 wrote it, with its history and recorded formation.
    db.exec("INSERT INTO upgrades (id, app, plan, state, version, source_addon_id, created_at, "
            "updated_at) VALUES ('u1', 'sushi', 'heroku-postgresql:standard-0', 'restoring', 7, "
            "'addon-1', 1000, 2000)");
    db.exec("INSERT INTO events (upgrade_id, seq, at, type, to_state) VALUES "
            "('u1', 1, 1000, 'created', 'pending')");
    db.exec("INSERT INTO upgrade_formation VALUES ('u1', 'worker', 3)");

    migrate(db);
    EXPECT_EQ(schema_version(db), latest_schema_version());
    upgrade_store store(db);
    auto u = store.get("u1");
    ASSERT_TRUE(u.ok()) << u.err().message;
    EXPECT_EQ(u->current, state::restoring);
    EXPECT_EQ(u->version, 7);
    EXPECT_EQ(u->source_addon_id, "addon-1");
    EXPECT_EQ(u->transfer.processed_bytes, 0); // column added by migration 2
    EXPECT_EQ(u->idempotency_key, std::nullopt);
    EXPECT_EQ(u->formation, (std::vector<process_quantity>{{"worker", 3}}));
    EXPECT_EQ(store.events("u1").size(), 1U);
    EXPECT_EQ(store.load_active().size(), 1U);
}

TEST(schema, a_v3_database_with_data_migrates_forward_to_the_heroku_fields) {
    testing::temp_dir dir;
    sqlite::database db(dir / "s.db");
    migrate(db, 3);
    ASSERT_EQ(schema_version(db), 3);
    db.exec("INSERT INTO upgrades (id, app, plan, state, version, source_addon_id, backup_num, "
            "keep_target_on_rollback, created_at, updated_at) VALUES ('u3', 'sushi', "
            "'heroku-postgresql:standard-0', 'capturing', 4, 'addon-3', 12, 1, 1000, 2000)");
    db.exec("INSERT INTO events (upgrade_id, seq, at, type, to_state) VALUES "
            "('u3', 1, 1000, 'created', 'pending')");

    migrate(db);
    EXPECT_EQ(schema_version(db), latest_schema_version());
    EXPECT_GE(latest_schema_version(), 4);
    upgrade_store store(db);
    auto u = store.get("u3");
    ASSERT_TRUE(u.ok()) << u.err().message;
    EXPECT_EQ(u->current, state::capturing);
    EXPECT_EQ(u->version, 4);
    EXPECT_EQ(u->source_addon_id, "addon-3");
    EXPECT_EQ(u->backup_num, 12);
    EXPECT_TRUE(u->request.keep_target_on_rollback);
    // Columns added by migration 4 read as "not known yet".
    EXPECT_TRUE(u->request.extensions.empty());
    EXPECT_EQ(u->source_plan, "");
    EXPECT_EQ(u->source_app, "");
    EXPECT_EQ(u->source_version, "");
    EXPECT_EQ(u->target_version, "");
    EXPECT_EQ(u->release_before_promote, std::nullopt);
    EXPECT_EQ(store.events("u3").size(), 1U);
}

TEST(schema, the_heroku_fields_round_trip_through_the_store) {
    testing::temp_dir dir;
    sqlite::database db(dir / "s.db");
    migrate(db);
    upgrade_store store(db);
    upgrade u;
    u.id = "u4";
    u.request.app = "sushi";
    u.request.plan = "heroku-postgresql:standard-0";
    u.request.extensions = {"hstore", "pg_trgm", "uuid-ossp"};
    auto created = store.create(u, time_point(std::chrono::seconds(100)));
    ASSERT_TRUE(created.ok()) << created.err().message;

    upgrade next = *created;
    next.current = state::provisioning;
    next.source_plan = "heroku-postgresql:essential-0";
    next.source_app = "owner-app";
    next.source_version = "15.4";
    next.target_version = "15";
    next.release_before_promote = 41;
    auto moved = store.transition(next, {event_type::step_completed, "planned"},
                                  time_point(std::chrono::seconds(200)));
    ASSERT_TRUE(moved.ok()) << moved.err().message;

    auto got = store.get("u4");
    ASSERT_TRUE(got.ok()) << got.err().message;
    EXPECT_EQ(got->request.extensions,
              (std::vector<std::string>{"hstore", "pg_trgm", "uuid-ossp"}));
    EXPECT_EQ(got->source_plan, "heroku-postgresql:essential-0");
    EXPECT_EQ(got->source_app, "owner-app");
    EXPECT_EQ(got->source_version, "15.4");
    EXPECT_EQ(got->target_version, "15");
    EXPECT_EQ(got->release_before_promote, 41);
    EXPECT_EQ(*got, *moved);
}

TEST(schema, step_data_carried_over_an_operator_command_keeps_the_heroku_fields) {
    upgrade worker;
    worker.source_plan = "heroku-postgresql:essential-0";
    worker.source_app = "owner-app";
    worker.source_version = "15.4";
    worker.target_version = "15";
    worker.release_before_promote = 7;
    upgrade fresh; // what an operator's pause left in the store meanwhile
    fresh.paused = true;
    carry_step_data(worker, fresh);
    EXPECT_EQ(fresh.source_plan, "heroku-postgresql:essential-0");
    EXPECT_EQ(fresh.source_app, "owner-app");
    EXPECT_EQ(fresh.source_version, "15.4");
    EXPECT_EQ(fresh.target_version, "15");
    EXPECT_EQ(fresh.release_before_promote, 7);
    EXPECT_TRUE(fresh.paused);
}

// The effect counter never goes back (ids stay unique); the open effect is the worker's,
// also when it just closed it (0).
TEST(schema, step_data_carried_over_an_operator_command_keeps_the_effect_fields) {
    upgrade worker;
    worker.effects = 4;
    worker.open_effect = 0;
    upgrade fresh;
    fresh.effects = 3;
    fresh.open_effect = 3;
    carry_step_data(worker, fresh);
    EXPECT_EQ(fresh.effects, 4);
    EXPECT_EQ(fresh.open_effect, 0);
    worker.effects = 2;
    carry_step_data(worker, fresh);
    EXPECT_EQ(fresh.effects, 4);
}

TEST(schema, a_v4_database_with_history_migrates_forward_to_the_effect_fields) {
    testing::temp_dir dir;
    sqlite::database db(dir / "s.db");
    migrate(db, 4);
    ASSERT_EQ(schema_version(db), 4);
    db.exec("INSERT INTO upgrades (id, app, plan, state, version, target_addon_id, created_at, "
            "updated_at) VALUES ('u4', 'sushi', 'heroku-postgresql:standard-0', 'capturing', 5, "
            "'addon-4', 1000, 2000)");
    db.exec("INSERT INTO events (upgrade_id, seq, at, type, from_state, to_state, detail) VALUES "
            "('u4', 1, 1000, 'created', NULL, 'pending', ''), "
            "('u4', 2, 1500, 'effect_recorded', 'provisioning', 'provisioning', 'addon-4')");

    migrate(db);
    EXPECT_EQ(schema_version(db), latest_schema_version());
    EXPECT_GE(latest_schema_version(), 5);
    upgrade_store store(db);
    auto u = store.get("u4");
    ASSERT_TRUE(u.ok()) << u.err().message;
    EXPECT_EQ(u->version, 5);
    EXPECT_EQ(u->target_addon_id, "addon-4");
    // Columns added by migration 5 read as "no effect".
    EXPECT_EQ(u->effects, 0);
    EXPECT_EQ(u->open_effect, 0);
    auto events = store.events("u4");
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[1].type, event_type::effect_recorded);
    EXPECT_EQ(events[1].detail, "addon-4");
    EXPECT_EQ(events[1].effect_id, 0);
    EXPECT_EQ(events[1].identity, "");

    // The old upgrade goes on with effects after the migration; its history stays contiguous.
    upgrade next = *u;
    next.effects = 1;
    next.open_effect = 1;
    ASSERT_TRUE(store
                    .transition(next, {event_type::effect_requested, "capture", 1},
                                time_point(std::chrono::seconds(3)))
                    .ok());
    events = store.events("u4");
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(events[2].seq, 3);
    EXPECT_EQ(events[2].effect_id, 1);
    EXPECT_EQ(store.get("u4")->open_effect, 1);
}

TEST(schema, a_newer_database_is_refused_and_left_untouched) {
    testing::temp_dir dir;
    {
        sqlite::database db(dir / "s.db");
        migrate(db);
        db.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    std::string before = file_bytes(dir / "s.db");
    sqlite::database db(dir / "s.db");
    try {
        migrate(db);
        FAIL() << "a newer schema must be refused";
    } catch (const schema_too_new& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("newer than this pgshift"), std::string::npos) << what;
        EXPECT_NE(what.find(std::to_string(latest_schema_version() + 1)), std::string::npos);
    }
    EXPECT_EQ(schema_version(db), latest_schema_version() + 1);
    EXPECT_EQ(file_bytes(dir / "s.db"), before);
}

} // namespace
} // namespace pgshift::persistence
