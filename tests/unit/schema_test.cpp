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
