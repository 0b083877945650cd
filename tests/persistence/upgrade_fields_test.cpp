// Every field of the one field list: stored, updated, read back and carried, each by its kind.
#include "persistence/schema.hpp"
#include "persistence/upgrade_rows.hpp"
#include "persistence/upgrade_store.hpp"
#include "tests/unit/temp_dir.hpp"

#include <boost/pfr/core.hpp>
#include <gtest/gtest.h>
#include <set>
#include <type_traits>

namespace pgshift::persistence {
namespace {

time_point at(std::int64_t seconds) {
    return time_point(std::chrono::seconds(seconds));
}

// sample(v, seed) gives v a value other than the one it holds: so a field set by one round
// and then by the next differs each time, and a missed write shows as an old value.
void sample(std::string& v, int seed) {
    v = "v" + std::to_string(seed);
}
void sample(std::int64_t& v, int seed) {
    v = 100 + seed;
}
void sample(int& v, int seed) {
    v = 100 + seed;
}
void sample(bool& v, int) {
    v = !v;
}
void sample(time_point& v, int seed) {
    v = at(1000 + seed);
}
void sample(std::chrono::seconds& v, int seed) {
    v = std::chrono::seconds(100 + seed);
}
void sample(state& v, int seed) {
    // Active states only: a new or moving upgrade is never terminal.
    v = seed % 2 == 0 ? state::restoring : state::provisioning;
}
void sample(std::vector<std::string>& v, int seed) {
    v = {"e" + std::to_string(seed), "f" + std::to_string(seed)};
}
template<class T>
void sample(std::optional<T>& v, int seed) {
    T value = v.value_or(T{});
    sample(value, seed);
    v = value;
}

const upgrade blank{}; // every field as nothing recorded it

bool is_updated(field_kind k) {
    return k == field_kind::status || k == field_kind::step_data;
}

// Fields the store itself sets: the key and the two timestamps of create and transition.
bool set_by_store(const field_info& f) {
    return f.kind == field_kind::key || f.name == "created_at" || f.name == "updated_at";
}

class fields_test : public ::testing::Test {
protected:
    fields_test()
        : db_(dir_ / "fields.db")
        , store_(db_) {
        migrate(db_);
    }

    // `u` with every field the operator or a step sets given another value.
    static upgrade resampled(upgrade u, int seed) {
        for_each_upgrade_field([&](const field_info& f, auto get) {
            if (!set_by_store(f)) {
                sample(get(u), seed);
            }
        });
        return u;
    }
    static upgrade sampled(int seed) {
        upgrade u = resampled(upgrade{}, seed);
        u.id = "u1";
        return u;
    }

    testing::temp_dir dir_;
    sqlite::database db_;
    upgrade_store store_;
};

TEST_F(fields_test, every_field_survives_insert_and_read) {
    const upgrade u = sampled(1);
    auto created = store_.create(u, at(100));
    ASSERT_TRUE(created.ok()) << created.err().message;
    auto got = store_.get("u1");
    ASSERT_TRUE(got.ok()) << got.err().message;
    EXPECT_EQ(*got, *created);
    for_each_upgrade_field([&](const field_info& f, auto get) {
        if (set_by_store(f)) {
            return;
        }
        EXPECT_FALSE(get(u) == get(blank)) << f.name << " was not sampled";
        EXPECT_TRUE(get(*got) == get(u)) << f.name << " did not survive the INSERT";
    });
}

TEST_F(fields_test, every_status_and_step_field_survives_updates_and_no_request_field_moves) {
    const upgrade first = store_.create(sampled(1), at(100)).value();
    const upgrade next = resampled(first, 2); // request fields too: the UPDATE must leave them
    ASSERT_TRUE(store_.transition(next, {event_type::progress, ""}, at(200)).ok());
    upgrade got = store_.get("u1").value();
    for_each_upgrade_field([&](const field_info& f, auto get) {
        if (is_updated(f.kind) && f.name != "updated_at") {
            EXPECT_TRUE(get(got) == get(next)) << f.name << " did not survive the UPDATE";
        }
        if (f.kind == field_kind::request) {
            EXPECT_TRUE(get(got) == get(first)) << f.name << " was changed after creation";
        }
    });
    EXPECT_EQ(got.version, 2);
    EXPECT_EQ(got.updated_at, at(200));

    // Back to nothing recorded: every NULL and empty value is written too.
    upgrade cleared = got;
    for_each_upgrade_field([&](const field_info& f, auto get) {
        if (is_updated(f.kind)) {
            get(cleared) = get(blank);
        }
    });
    ASSERT_TRUE(store_.transition(cleared, {event_type::progress, ""}, at(300)).ok());
    got = store_.get("u1").value();
    for_each_upgrade_field([&](const field_info& f, auto get) {
        if (is_updated(f.kind) && f.name != "updated_at") {
            EXPECT_TRUE(get(got) == get(blank)) << f.name << " was not cleared";
        }
    });
}

TEST_F(fields_test, carry_step_data_carries_every_step_field_and_nothing_else) {
    const upgrade fresh = sampled(1);           // an operator's command changed it meanwhile
    const upgrade worker = resampled(fresh, 2); // every field differs from fresh's
    upgrade into = fresh;
    carry_step_data(worker, into);
    for_each_upgrade_field([&](const field_info& f, auto get) {
        if (f.kind == field_kind::step_data) {
            EXPECT_TRUE(get(into) == get(worker)) << f.name << " was not carried";
        } else {
            EXPECT_TRUE(get(into) == get(fresh)) << f.name << " is not step data, yet moved";
        }
    });
}

// A worker that recorded nothing never erases an identity; a counter never goes back; the
// fields the worker always owns (progress, the open effect) follow it even to "none".
TEST_F(fields_test, carry_step_data_merges_each_step_field_by_its_rule) {
    const upgrade worker{};
    const upgrade fresh = sampled(1);
    upgrade into = fresh;
    carry_step_data(worker, into);
    for_each_upgrade_field([&](const field_info& f, auto get) {
        if (f.kind != field_kind::step_data) {
            return;
        }
        switch (f.merge) {
        case merge_rule::none:
            ADD_FAILURE() << f.name << " is step data without a merge rule";
            return;
        case merge_rule::if_set:
        case merge_rule::larger:
            EXPECT_TRUE(get(into) == get(fresh)) << f.name << " lost its recorded value";
            return;
        case merge_rule::worker:
            EXPECT_TRUE(get(into) == get(worker)) << f.name << " did not follow the worker";
            return;
        }
    });
}

// Every member of the record is a row of the list (or the formation, kept in its own table):
// a new member without its line fails here, not in production after a restart.
TEST_F(fields_test, the_field_list_names_every_member_once) {
    upgrade u;
    std::set<const void*> listed;
    std::set<std::string_view> names;
    int count = 0;
    for_each_upgrade_field([&](const field_info& f, auto get) {
        listed.insert(&get(u));
        names.insert(f.name);
        ++count;
    });
    EXPECT_EQ(listed.size(), static_cast<std::size_t>(count)) << "a member is listed twice";
    EXPECT_EQ(names.size(), static_cast<std::size_t>(count)) << "a name is listed twice";

    auto check = [&](const char* of, const auto& member, std::size_t index) {
        EXPECT_TRUE(listed.contains(&member))
            << of << " member #" << index << " is missing from for_each_upgrade_field";
    };
    boost::pfr::for_each_field(u, [&](auto& member, std::size_t index) {
        using member_type = std::remove_cvref_t<decltype(member)>;
        if constexpr (std::is_same_v<member_type, upgrade_request>) {
            boost::pfr::for_each_field(
                member, [&](auto& m, std::size_t i) { check("upgrade_request", m, i); });
        } else if constexpr (std::is_same_v<member_type, progress>) {
            boost::pfr::for_each_field(member,
                                       [&](auto& m, std::size_t i) { check("progress", m, i); });
        } else if constexpr (!std::is_same_v<member_type, std::vector<process_quantity>>) {
            check("upgrade", member, index);
        }
    });
}

// The list and the migrations agree: every field is a column of the table and every column
// is a field, so a migration without its line (or a line without its migration) fails here.
TEST_F(fields_test, the_field_list_and_the_table_have_the_same_columns) {
    std::set<std::string> table;
    sqlite::statement st(db_, "SELECT name FROM pragma_table_info('upgrades')");
    while (st.step()) {
        table.insert(st.text(0));
    }
    std::set<std::string> listed;
    for_each_upgrade_field([&](const field_info& f, auto) { listed.emplace(f.name); });
    EXPECT_EQ(listed, table);
}

// The statements built from the list bind every parameter they name by name.
TEST_F(fields_test, the_built_statements_name_each_field_once) {
    EXPECT_NE(rows::update_sql().find("open_effect=:open_effect"), std::string_view::npos);
    EXPECT_EQ(rows::update_sql().find(" app="), std::string_view::npos) << "requests never change";
    EXPECT_NE(rows::insert_sql().find(":app"), std::string_view::npos);
    EXPECT_EQ(rows::upgrade_columns().substr(0, 4), "id, ");
    sqlite::statement st(db_, rows::update_sql());
    EXPECT_THROW((void)st.parameter(":no_such_field"), sqlite::error);
}

} // namespace
} // namespace pgshift::persistence
