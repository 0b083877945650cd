// The upgrade store: create, read, list, compare-and-set transitions, history.
#include "persistence/schema.hpp"
#include "persistence/upgrade_store.hpp"
#include "tests/unit/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pgshift::persistence {
namespace {

using namespace std::chrono_literals;

time_point at(std::int64_t seconds) {
    return time_point(std::chrono::seconds(seconds));
}

upgrade make(std::string id, std::string app) {
    upgrade u;
    u.id = std::move(id);
    u.request.app = std::move(app);
    u.request.plan = "heroku-postgresql:standard-0";
    return u;
}

class store_test : public ::testing::Test {
protected:
    store_test()
        : db_(dir_ / "store.db")
        , store_(db_) {
        migrate(db_);
    }

    upgrade created(std::string id, std::string app, std::int64_t t = 100) {
        auto r = store_.create(make(std::move(id), std::move(app)), at(t));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
        return r.value();
    }

    upgrade moved(upgrade u, state to, std::int64_t t = 200) {
        u.current = to;
        auto r = store_.transition(u, {event_type::step_completed, "moved"}, at(t));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
        return r.value();
    }

    testing::temp_dir dir_;
    sqlite::database db_;
    upgrade_store store_;
};

TEST_F(store_test, create_then_get_returns_every_field) {
    upgrade u = make("u1", "sushi");
    u.request.pg_version = "16";
    u.request.downtime_at = at(5000);
    u.request.verify = false;
    u.request.allow_restore_warnings = true;
    u.request.remove_source_after = 3600s;
    u.request.webhook_url = "https://hooks.example/x";
    u.request.keep_target_on_rollback = true;
    u.idempotency_key = "k-1";
    u.formation = {{"worker", 3}, {"clock", 1}};
    auto r = store_.create(u, at(100));
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->version, 1);

    auto got = store_.get("u1");
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->request, u.request);
    EXPECT_EQ(got->idempotency_key, "k-1");
    EXPECT_EQ(got->created_at, at(100));
    EXPECT_EQ(got->formation, (std::vector<process_quantity>{{"clock", 1}, {"worker", 3}}));
    EXPECT_EQ(*got, *r);
}

TEST_F(store_test, create_appends_the_created_event) {
    created("u1", "sushi");
    auto events = store_.events("u1");
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].seq, 1);
    EXPECT_EQ(events[0].type, event_type::created);
    EXPECT_EQ(events[0].to, state::pending);
    EXPECT_EQ(events[0].at, at(100));
}

TEST_F(store_test, one_active_upgrade_per_app) {
    created("u1", "sushi");
    auto second = store_.create(make("u2", "sushi"), at(101));
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.err().code, errc::conflict);
    EXPECT_NE(second.err().message.find("u1"), std::string::npos) << second.err().message;
    EXPECT_TRUE(store_.create(make("u3", "other-app"), at(102)).ok());
    EXPECT_EQ(store_.get("u2").err().code, errc::not_found);
}

TEST_F(store_test, a_finished_upgrade_frees_its_app) {
    upgrade u = created("u1", "sushi");
    moved(u, state::succeeded);
    EXPECT_TRUE(store_.create(make("u2", "sushi"), at(300)).ok());
}

TEST_F(store_test, the_unique_index_holds_even_without_the_check) {
    created("u1", "sushi");
    // Bypass the store's friendly check: the partial unique index is the real guarantee.
    EXPECT_THROW(db_.exec("INSERT INTO upgrades (id, app, plan, state, version, created_at, "
                          "updated_at) VALUES ('u9', 'sushi', 'p', 'capturing', 1, 1, 1)"),
                 sqlite::error);
}

TEST_F(store_test, idempotency_keys_are_unique_and_findable) {
    upgrade u = make("u1", "sushi");
    u.idempotency_key = "key";
    ASSERT_TRUE(store_.create(u, at(1)).ok());
    upgrade v = make("u2", "other");
    v.idempotency_key = "key";
    auto r = store_.create(v, at(2));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::conflict);
    auto found = store_.find_by_idempotency_key("key");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, "u1");
    EXPECT_FALSE(store_.find_by_idempotency_key("nope").has_value());
}

TEST_F(store_test, invalid_new_upgrades_are_refused) {
    EXPECT_EQ(store_.create(make("", "a"), at(1)).err().code, errc::invalid);
    EXPECT_EQ(store_.create(make("u", ""), at(1)).err().code, errc::invalid);
    upgrade done = make("u", "a");
    done.current = state::succeeded;
    EXPECT_EQ(store_.create(done, at(1)).err().code, errc::invalid);
    EXPECT_TRUE(store_.list({}).items.empty());
}

TEST_F(store_test, get_of_unknown_id_is_not_found) {
    auto r = store_.get("nope");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::not_found);
}

TEST_F(store_test, transition_bumps_version_and_records_from_and_to) {
    upgrade u = created("u1", "sushi");
    u.current = state::provisioning;
    u.target_addon_name = "pgshift-u1";
    auto r = store_.transition(u, {event_type::step_completed, "provision"}, at(150));
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->version, 2);
    EXPECT_EQ(r->updated_at, at(150));
    EXPECT_EQ(*store_.get("u1"), *r);
    auto events = store_.events("u1");
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[1].seq, 2);
    EXPECT_EQ(events[1].type, event_type::step_completed);
    EXPECT_EQ(events[1].from, state::pending);
    EXPECT_EQ(events[1].to, state::provisioning);
    EXPECT_EQ(events[1].detail, "provision");
}

TEST_F(store_test, a_stale_version_is_an_error_and_changes_nothing) {
    upgrade u = created("u1", "sushi");
    upgrade first = moved(u, state::provisioning);
    u.current = state::failed; // still carries version 1
    auto r = store_.transition(u, {event_type::step_failed, "late"}, at(300));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::stale_version);
    EXPECT_NE(r.err().message.find("version 2"), std::string::npos) << r.err().message;
    EXPECT_EQ(*store_.get("u1"), first);
    EXPECT_EQ(store_.events("u1").size(), 2U);
}

TEST_F(store_test, transition_of_unknown_upgrade_is_not_found) {
    upgrade ghost = make("ghost", "x");
    ghost.version = 1;
    EXPECT_EQ(store_.transition(ghost, {event_type::progress, ""}, at(1)).err().code,
              errc::not_found);
}

TEST_F(store_test, a_terminal_upgrade_never_moves_again) {
    upgrade done = moved(created("u1", "sushi"), state::rolled_back);
    done.current = state::restoring;
    auto r = store_.transition(done, {event_type::retried, ""}, at(400));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::invalid);
    EXPECT_EQ(store_.get("u1")->current, state::rolled_back);
}

TEST_F(store_test, formation_is_recorded_once_and_never_overwritten) {
    upgrade u = moved(created("u1", "sushi"), state::scaling_down);
    u.formation = {{"worker", 3}, {"clock", 1}};
    u = store_.transition(u, {event_type::effect_requested, "record"}, at(300)).value();
    EXPECT_EQ(store_.get("u1")->formation,
              (std::vector<process_quantity>{{"clock", 1}, {"worker", 3}}));

    upgrade reread = u;
    reread.formation = {{"clock", 0}, {"worker", 0}}; // a second read after scaling down
    auto r = store_.transition(reread, {event_type::effect_requested, "again"}, at(301));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::invalid);
    EXPECT_EQ(store_.get("u1")->formation,
              (std::vector<process_quantity>{{"clock", 1}, {"worker", 3}}));
    // Carrying the same recorded quantities forward is fine.
    u.current = state::capturing;
    EXPECT_TRUE(store_.transition(u, {event_type::step_completed, ""}, at(302)).ok());
}

TEST_F(store_test, step_data_round_trips_through_transitions) {
    upgrade u = created("u1", "sushi");
    u.current = state::restoring;
    u.attempt = 2;
    u.step_started_at = at(500);
    u.paused = true;
    u.needs_attention = true;
    u.last_error = "restore stalled";
    u.source_addon_id = "s-id";
    u.source_addon_name = "postgresql-old";
    u.target_addon_name = "pgshift-u1";
    u.target_addon_id = "t-id";
    u.original_maintenance = false;
    u.backup_uuid = "b-uuid";
    u.backup_num = 12;
    u.restore_uuid = "r-uuid";
    u.transfer = {123456, 999999, "Running", at(510), at(505)};
    u.downtime = {at(300), at(590), 10000, 12000};
    u.finished_at = at(600);
    auto r = store_.transition(u, {event_type::progress, ""}, at(510));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*store_.get("u1"), *r);
    EXPECT_EQ(store_.get("u1")->original_maintenance, false);
}

// The interpreter's history of one Heroku write: requested and recorded name the same effect;
// the upgrade counts its effects and holds the open one in between.
TEST_F(store_test, effect_ids_and_identities_round_trip) {
    upgrade u = created("u1", "sushi");
    u.current = state::provisioning;
    u.effects = 1;
    u.open_effect = 1;
    u = store_.transition(u, {event_type::effect_requested, "create add-on", 1}, at(150)).value();
    EXPECT_EQ(store_.get("u1")->effects, 1);
    EXPECT_EQ(store_.get("u1")->open_effect, 1);
    u.open_effect = 0;
    u.target_addon_id = "addon-9";
    u = store_.transition(u, {event_type::effect_recorded, "created", 1, "addon-9"}, at(151))
            .value();
    u.effects = 2;
    u.open_effect = 2;
    u = store_.transition(u, {event_type::effect_requested, "maintenance on", 2}, at(152)).value();
    u.open_effect = 0;
    u = store_.transition(u, {event_type::effect_failed, "503", 2}, at(153)).value();
    EXPECT_EQ(*store_.get("u1"), u);
    EXPECT_EQ(u.effects, 2);
    EXPECT_EQ(u.open_effect, 0);

    auto events = store_.events("u1");
    ASSERT_EQ(events.size(), 5U);
    EXPECT_EQ(events[0].effect_id, 0) << "created is about no effect";
    EXPECT_EQ(events[0].identity, "");
    EXPECT_EQ(events[1].type, event_type::effect_requested);
    EXPECT_EQ(events[1].effect_id, 1);
    EXPECT_EQ(events[1].identity, "");
    EXPECT_EQ(events[2].type, event_type::effect_recorded);
    EXPECT_EQ(events[2].effect_id, 1);
    EXPECT_EQ(events[2].identity, "addon-9");
    EXPECT_EQ(events[3].effect_id, 2);
    EXPECT_EQ(events[4].type, event_type::effect_failed);
    EXPECT_EQ(events[4].effect_id, 2);
    EXPECT_EQ(events[4].detail, "503");
}

TEST_F(store_test, a_negative_effect_id_is_refused_and_changes_nothing) {
    upgrade u = created("u1", "sushi");
    EXPECT_EQ(store_.transition(u, {event_type::effect_requested, "", -1}, at(150)).err().code,
              errc::invalid);
    u.effects = -1;
    EXPECT_EQ(store_.transition(u, {event_type::progress, ""}, at(151)).err().code, errc::invalid);
    EXPECT_EQ(store_.get("u1")->version, 1);
    EXPECT_EQ(store_.events("u1").size(), 1U);
}

// Spellings of kinds that were never written are refused like any unknown one.
TEST_F(store_test, a_removed_event_kind_is_reported_not_guessed) {
    created("u1", "sushi");
    db_.exec("INSERT INTO events (upgrade_id, seq, at, type) VALUES ('u1', 2, 1, 'step_started')");
    EXPECT_THROW((void)store_.events("u1"), sqlite::error);
}

TEST_F(store_test, events_are_append_only) {
    created("u1", "sushi");
    EXPECT_THROW(db_.exec("UPDATE events SET detail = 'x'"), sqlite::error);
    EXPECT_THROW(db_.exec("DELETE FROM events"), sqlite::error);
    EXPECT_EQ(store_.events("u1").size(), 1U);
}

TEST_F(store_test, events_page_after_a_seq) {
    upgrade u = created("u1", "sushi");
    u = moved(u, state::provisioning);
    u = moved(u, state::entering_maintenance);
    auto tail = store_.events("u1", 1);
    ASSERT_EQ(tail.size(), 2U);
    EXPECT_EQ(tail[0].seq, 2);
    EXPECT_EQ(tail[1].seq, 3);
    EXPECT_EQ(store_.events("u1", 0, 1).size(), 1U);
}

TEST_F(store_test, list_filters_and_pages_newest_first) {
    for (int i = 0; i < 7; ++i) {
        created("u" + std::to_string(i), "app" + std::to_string(i), 100 + i);
    }
    moved(store_.get("u2").value(), state::succeeded);
    auto first = store_.list({.limit = 3});
    ASSERT_EQ(first.items.size(), 3U);
    EXPECT_EQ(first.items[0].id, "u6");
    EXPECT_EQ(first.next, "u4");
    auto second = store_.list({.limit = 3, .after = first.next});
    ASSERT_EQ(second.items.size(), 3U);
    EXPECT_EQ(second.items[0].id, "u3");
    auto third = store_.list({.limit = 3, .after = second.next});
    ASSERT_EQ(third.items.size(), 1U);
    EXPECT_EQ(third.next, std::nullopt);

    auto done = store_.list({.in_state = state::succeeded});
    ASSERT_EQ(done.items.size(), 1U);
    EXPECT_EQ(done.items[0].id, "u2");
    auto by_app = store_.list({.app = "app5"});
    ASSERT_EQ(by_app.items.size(), 1U);
    EXPECT_EQ(by_app.items[0].id, "u5");
}

TEST_F(store_test, load_active_skips_terminal_upgrades) {
    created("a", "app-a", 1);
    moved(created("b", "app-b", 2), state::cancelled);
    created("c", "app-c", 3);
    auto active = store_.load_active();
    ASSERT_EQ(active.size(), 2U);
    EXPECT_EQ(active[0].id, "a");
    EXPECT_EQ(active[1].id, "c");
}

TEST_F(store_test, a_corrupt_state_spelling_is_reported_not_guessed) {
    created("u1", "sushi");
    db_.exec("UPDATE upgrades SET state = 'exploded' WHERE id = 'u1'");
    EXPECT_THROW((void)store_.get("u1"), sqlite::error);
}

// A full disk (here: the file may not grow) fails the commit; the store says why, for the
// upgrade and overall, until a transition commits again.
TEST_F(store_test, a_commit_that_fails_is_remembered_until_one_succeeds) {
    upgrade u = created("u1", "sushi");
    created("u2", "other-app");
    EXPECT_FALSE(store_.write_failure());
    sqlite::statement pages(db_, "PRAGMA page_count");
    ASSERT_TRUE(pages.step());
    db_.exec("PRAGMA max_page_count=" + std::to_string(pages.int64(0)));
    pages.reset();
    u.current = state::provisioning;
    u.last_error = std::string(64 * 1024, 'x'); // needs pages the file may not have
    EXPECT_THROW((void)store_.transition(u, {event_type::step_completed, "go"}, at(150)),
                 sqlite::error);
    ASSERT_TRUE(store_.write_failure());
    EXPECT_NE(store_.write_failure()->find("full"), std::string::npos) << *store_.write_failure();
    ASSERT_TRUE(store_.write_failure("u1"));
    EXPECT_FALSE(store_.write_failure("u2"));
    EXPECT_EQ(store_.get("u1")->version, 1) << "nothing of the failed commit is stored";

    db_.exec("PRAGMA max_page_count=1000000");
    auto r = store_.transition(u, {event_type::step_completed, "go"}, at(160));
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_FALSE(store_.write_failure());
    EXPECT_FALSE(store_.write_failure("u1"));
}

// A commit that failed for an upgrade nobody retries (an operator's pause of an idle one)
// must not keep the store "failing" once another upgrade commits again.
TEST_F(store_test, any_commit_that_succeeds_ends_every_remembered_failure) {
    upgrade u1 = created("u1", "sushi");
    upgrade u2 = created("u2", "other-app");
    sqlite::statement pages(db_, "PRAGMA page_count");
    ASSERT_TRUE(pages.step());
    db_.exec("PRAGMA max_page_count=" + std::to_string(pages.int64(0)));
    pages.reset();
    u1.paused = true;
    u1.last_error = std::string(64 * 1024, 'x');
    EXPECT_THROW((void)store_.transition(u1, {event_type::paused, "pause"}, at(150)),
                 sqlite::error);
    ASSERT_TRUE(store_.write_failure("u1"));

    db_.exec("PRAGMA max_page_count=1000000");
    u2.current = state::provisioning;
    auto r = store_.transition(u2, {event_type::step_completed, "go"}, at(160));
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_FALSE(store_.write_failure());
    EXPECT_FALSE(store_.write_failure("u1")) << "u1's failure outlived the full disk";
}

// Every transition used to keep its SELECT on a row at COMMIT, so no checkpoint ever
// finished and the WAL grew ~17 KB per commit (20 MB here). Now it stays near its limit.
TEST_F(store_test, the_wal_stays_bounded_over_thousands_of_transitions) {
    upgrade u = created("u1", "sushi");
    u.current = state::restoring;
    u.restore_uuid = "r-1";
    for (int i = 0; i < 1200; ++i) {
        u.transfer.processed_bytes = i;
        u.transfer.message = "copied " + std::to_string(i) + " rows of a long table";
        auto r = store_.transition(u, {event_type::progress, "progress"}, at(200 + i));
        ASSERT_TRUE(r.ok()) << r.err().message;
        u = std::move(r).value();
    }
    const auto wal = std::filesystem::file_size(dir_ / "store.db-wal");
    EXPECT_LT(wal, 2 * sqlite::database::wal_size_limit) << "the WAL holds " << wal << " bytes";
    EXPECT_GT(std::filesystem::file_size(dir_ / "store.db"), 64U * 1024)
        << "the checkpoints never reached the main file";
    EXPECT_EQ(store_.events("u1", 0, 5000).size(), 1201U);
}

} // namespace
} // namespace pgshift::persistence
