// Heroku's real paths and shapes end to end: a shared DATABASE, extensions, the pinned version.
#include "persistence/schema.hpp"
#include "tests/daemon/harness.hpp"
#include "tests/support/pg_query.hpp"

#include <gtest/gtest.h>
#include <random>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

// The first column of the first row, "" for NULL.
std::string query_value(const std::string& url, const std::string& sql) {
    pg_rows rows = query(url, sql);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0].value_or("");
}

// enqueue_upgrade with the request fields these tests need.
std::string enqueue(const std::filesystem::path& state_dir, upgrade_request request) {
    std::filesystem::create_directories(state_dir);
    sqlite::database db(state_dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);
    upgrade u;
    // Random like the API's ids: the target add-on's name is derived from it.
    std::mt19937_64 rng(std::random_device{}());
    const char* hex = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) {
        u.id += hex[rng() % 16];
        if (i == 7 || i == 11 || i == 15 || i == 19) {
            u.id += '-';
        }
    }
    u.request = std::move(request);
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    auto created = store.create(std::move(u), now);
    if (!created) {
        throw std::runtime_error("cannot enqueue: " + created.err().message);
    }
    return created->id;
}

std::vector<event_record> history(const std::filesystem::path& state_dir, const std::string& id) {
    sqlite::database db(state_dir / "pgshift.db");
    persistence::upgrade_store store(db);
    return store.events(id);
}

bool has_detail(const std::vector<event_record>& events, const std::string& text) {
    return std::any_of(events.begin(), events.end(), [&](const event_record& e) {
        return e.detail.find(text) != std::string::npos;
    });
}

std::string all_details(const std::vector<event_record>& events) {
    std::string out;
    for (const auto& e : events) {
        out += std::string(to_string(e.type)) + ": " + e.detail + "\n";
    }
    return out;
}

upgrade only_upgrade(const std::filesystem::path& state_dir) {
    auto all = stored_upgrades(state_dir);
    if (all.size() != 1) {
        throw std::runtime_error("expected one upgrade, found " + std::to_string(all.size()));
    }
    return all[0];
}

TEST(heroku_paths, a_shared_database_is_upgraded_for_its_user_and_never_destroyed) {
    auto dir = work_dir("shared_addon");
    emulator emu(dir);
    emu.fast_timings();
    json owner = emu.seed_app("owner-app", "web=1", sample_sql(500));
    emu.control(
        "POST", "/_emulator/apps",
        {{"name", "user-app"}, {"formation", "web=1 worker=1"}, {"database_of", "owner-app"}});
    std::string owner_url = emu.config_var("owner-app", "DATABASE_URL");
    std::string before = content_digest(owner_url);
    std::string shared = owner["addon"]["name"];

    upgrade_request r;
    r.app = "user-app";
    r.plan = "heroku-postgresql:standard-0";
    r.remove_source_after = 0s;
    std::string id = enqueue(dir / "state", r);
    daemon_run run = run_daemon(emu, dir / "state", {});
    ASSERT_TRUE(run.status.exited) << run.err;

    upgrade u = only_upgrade(dir / "state");
    auto events = history(dir / "state", id);
    ASSERT_EQ(u.current, state::succeeded) << u.last_error << "\n" << all_details(events);
    EXPECT_EQ(u.source_app, "owner-app");
    EXPECT_EQ(u.source_addon_name, shared);
    EXPECT_TRUE(has_detail(events, "not removed: owned by owner-app")) << all_details(events);

    // The owner's add-on is still there, still its DATABASE, with its data untouched.
    json addon = emu.heroku("GET", "/apps/owner-app/addons/" + shared);
    EXPECT_EQ(addon["state"], "provisioned");
    EXPECT_EQ(emu.config_var("owner-app", "DATABASE_URL"), owner_url);
    EXPECT_EQ(content_digest(owner_url), before);
    // The user app's DATABASE is its own new add-on, holding the same data.
    std::string user_url = emu.config_var("user-app", "DATABASE_URL");
    EXPECT_NE(user_url, owner_url);
    EXPECT_EQ(content_digest(user_url), before);
}

TEST(heroku_paths, a_source_with_an_extension_restores_without_warnings) {
    auto dir = work_dir("extensions");
    emulator emu(dir);
    emu.fast_timings();
    emu.seed_app("kv-app", "web=1",
                 "CREATE EXTENSION hstore;"
                 "CREATE TABLE settings (id serial PRIMARY KEY, attrs hstore NOT NULL);"
                 "INSERT INTO settings (attrs) SELECT hstore('k', g::text) "
                 "FROM generate_series(1, 300) g;");
    std::string before = content_digest(emu.config_var("kv-app", "DATABASE_URL"));

    upgrade_request r;
    r.app = "kv-app";
    r.plan = "heroku-postgresql:standard-0";
    std::string id = enqueue(dir / "state", r);
    daemon_run run = run_daemon(emu, dir / "state", {});
    ASSERT_TRUE(run.status.exited) << run.err;

    upgrade u = only_upgrade(dir / "state");
    auto events = history(dir / "state", id);
    ASSERT_EQ(u.current, state::succeeded) << u.last_error << "\n" << all_details(events);
    EXPECT_TRUE(has_detail(events, "with extensions: hstore (installed on the source)"))
        << all_details(events);
    json restore = emu.heroku("GET", "/client/v11/apps/kv-app/transfers/" + u.restore_uuid);
    EXPECT_EQ(restore["warnings"], 0);
    EXPECT_EQ(restore["succeeded"], true);
    std::string after_url = emu.config_var("kv-app", "DATABASE_URL");
    EXPECT_EQ(content_digest(after_url), before);
    EXPECT_EQ(query_value(after_url, "SELECT count(*) FROM settings WHERE attrs -> 'k' = '300'"),
              "1");
}

TEST(heroku_paths, the_extensions_asked_for_are_the_ones_restored) {
    auto dir = work_dir("extensions_asked");
    emulator emu(dir);
    emu.fast_timings();
    emu.seed_app("kv-app", "web=1",
                 "CREATE EXTENSION hstore;"
                 "CREATE TABLE settings (id serial PRIMARY KEY, attrs hstore NOT NULL);"
                 "INSERT INTO settings (attrs) VALUES (hstore('a', 'b'));");

    upgrade_request r;
    r.app = "kv-app";
    r.plan = "heroku-postgresql:standard-0";
    r.extensions = {"hstore", "pg_trgm"};
    std::string id = enqueue(dir / "state", r);
    daemon_run run = run_daemon(emu, dir / "state", {});
    ASSERT_TRUE(run.status.exited) << run.err;

    upgrade u = only_upgrade(dir / "state");
    auto events = history(dir / "state", id);
    ASSERT_EQ(u.current, state::succeeded) << u.last_error << "\n" << all_details(events);
    EXPECT_TRUE(has_detail(events, "with extensions: hstore,pg_trgm (asked)"))
        << all_details(events);
    std::string after_url = emu.config_var("kv-app", "DATABASE_URL");
    EXPECT_EQ(query_value(after_url, "SELECT string_agg(extname, ',' ORDER BY extname) FROM "
                                     "pg_extension WHERE extname <> 'plpgsql'"),
              "hstore,pg_trgm");
}

TEST(heroku_paths, without_a_version_the_target_keeps_the_sources_major_version) {
    auto dir = work_dir("version_pin");
    emulator emu(dir);
    emu.fast_timings();
    json seeded = emu.control("POST", "/_emulator/apps",
                              {{"name", "pinned"},
                               {"plan", "heroku-postgresql:essential-0"},
                               {"postgres_version", "15"},
                               {"formation", "web=1"},
                               {"sql", sample_sql(100)}});
    json source_info =
        emu.heroku("GET", "/client/v11/databases/" + seeded["addon"]["id"].get<std::string>());
    ASSERT_TRUE(source_info["postgres_version"].get<std::string>().starts_with("15"));

    upgrade_request r;
    r.app = "pinned";
    r.plan = "heroku-postgresql:standard-0"; // no version: Heroku's default would be newer
    enqueue(dir / "state", r);
    daemon_run run = run_daemon(emu, dir / "state", {});
    ASSERT_TRUE(run.status.exited) << run.err;

    upgrade u = only_upgrade(dir / "state");
    ASSERT_EQ(u.current, state::succeeded) << u.last_error;
    EXPECT_EQ(u.source_plan, "heroku-postgresql:essential-0");
    EXPECT_EQ(u.source_app, "pinned");
    EXPECT_EQ(u.source_version, source_info["postgres_version"].get<std::string>());
    EXPECT_EQ(u.target_version, "15");
    json target = emu.heroku("GET", "/client/v11/databases/" + u.target_addon_id);
    EXPECT_TRUE(target["postgres_version"].get<std::string>().starts_with("15"))
        << target["postgres_version"];
}

TEST(heroku_paths, a_version_asked_for_is_the_one_provisioned) {
    auto dir = work_dir("version_asked");
    emulator emu(dir);
    emu.fast_timings();
    emu.seed_app("newer", "web=1", sample_sql(50));

    upgrade_request r;
    r.app = "newer";
    r.plan = "heroku-postgresql:standard-0";
    r.pg_version = "17";
    enqueue(dir / "state", r);
    daemon_run run = run_daemon(emu, dir / "state", {});
    ASSERT_TRUE(run.status.exited) << run.err;

    upgrade u = only_upgrade(dir / "state");
    ASSERT_EQ(u.current, state::succeeded) << u.last_error;
    EXPECT_TRUE(u.source_version.starts_with("15")) << u.source_version;
    EXPECT_EQ(u.target_version, "17");
    json target = emu.heroku("GET", "/client/v11/databases/" + u.target_addon_id);
    EXPECT_TRUE(target["postgres_version"].get<std::string>().starts_with("17"));
}

} // namespace
} // namespace pgshift::testing
