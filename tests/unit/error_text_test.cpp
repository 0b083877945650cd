// Error texts stored through decide() and the store keep no trailing newline (libpq's did).
#include "persistence/schema.hpp"
#include "persistence/upgrade_store.hpp"
#include "statemachine/decide.hpp"
#include "tests/unit/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pgshift::persistence {
namespace {

time_point at(std::int64_t seconds) {
    return time_point(std::chrono::seconds(seconds));
}

class error_text_test : public ::testing::Test {
protected:
    error_text_test()
        : db_(dir_ / "store.db")
        , store_(db_) {
        migrate(db_);
    }

    // u at `s`, as the store holds it.
    upgrade stored_at(state s) {
        upgrade u;
        u.id = "u1";
        u.request.app = "sushi";
        u.request.plan = "heroku-postgresql:standard-0";
        u = store_.create(std::move(u), at(100)).value();
        u.current = s;
        return store_.transition(u, {event_type::step_completed, ""}, at(110)).value();
    }

    // decide(), then the commit the worker makes, then everything read back.
    upgrade commit(const upgrade& u, const input& in) {
        auto d = decide(u, in, at(120));
        EXPECT_TRUE(d.ok());
        auto next = store_.transition(d->next, {d->entry, d->detail}, at(120));
        EXPECT_TRUE(next.ok()) << (next.ok() ? "" : next.err().message);
        return store_.get(u.id).value();
    }

    testing::temp_dir dir_;
    sqlite::database db_;
    upgrade_store store_;
};

TEST_F(error_text_test, a_step_error_is_stored_without_trailing_newlines) {
    const upgrade u = stored_at(state::provisioning);
    const upgrade back =
        commit(u, step_error{"cannot connect to the source database: connection refused\n"
                             "\tIs the server running on that host?\n\n",
                             true});
    EXPECT_EQ(back.last_error, "cannot connect to the source database: connection refused\n"
                               "\tIs the server running on that host?");
    const auto events = store_.events("u1", 0, 100);
    ASSERT_FALSE(events.empty());
    EXPECT_TRUE(events.back().detail.ends_with("Is the server running on that host?"))
        << events.back().detail;
}

TEST_F(error_text_test, a_failed_transfer_is_stored_without_trailing_newlines) {
    const upgrade u = stored_at(state::restoring);
    const upgrade back = commit(u, step_error{"restore failed: pg_restore: error: x\r\n", false});
    EXPECT_EQ(back.current, state::rolling_back);
    EXPECT_EQ(back.last_error, "restore failed: pg_restore: error: x");
    EXPECT_EQ(store_.events("u1", 0, 100).back().detail,
              "restoring failed: restore failed: pg_restore: error: x");
}

TEST_F(error_text_test, a_stall_is_stored_without_trailing_newlines) {
    const upgrade u = stored_at(state::restoring);
    const upgrade back = commit(u, stalled{"restore made no progress since 0 bytes\n"});
    EXPECT_TRUE(back.needs_attention);
    EXPECT_EQ(back.last_error, "restore made no progress since 0 bytes");
    EXPECT_EQ(store_.events("u1", 0, 100).back().detail, "restore made no progress since 0 bytes");
}

} // namespace
} // namespace pgshift::persistence
