// pg_backend against a real cluster: databases, roles, isolation, seeding, bad admin URLs.
#include "emulator/pg/pg_backend.hpp"
#include "tests/emulator/pg/pg_test_helpers.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/pg_query.hpp"

#include <gtest/gtest.h>

namespace pgshift::testing {
namespace {

using emulator::pg_backend;

std::string cell(const pg_rows& rows) {
    return rows.at(0).at(0).value_or("NULL");
}

TEST(pg_backend, create_database_gives_a_url_that_logs_in_as_its_own_role) {
    pg_backend backend(shared_admin_url());
    auto db = backend.create_database("My App: prod!");
    auto again = backend.create_database("My App: prod!");
    EXPECT_NE(db.name, again.name);
    EXPECT_EQ(db.name.rfind("my_app_prod_", 0), 0U) << db.name;
    EXPECT_EQ(db.url().rfind("postgres://" + db.role + ":" + db.password + "@", 0), 0U);

    auto who = query(db.url(), "SELECT current_user, current_database()");
    EXPECT_EQ(who.at(0).at(0), db.role);
    EXPECT_EQ(who.at(0).at(1), db.name);
    EXPECT_EQ(cell(query(db.url(), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")),
              "f");

    backend.drop_database(db);
    EXPECT_THROW(query(db.url(), "SELECT 1"), std::runtime_error);
    EXPECT_NO_THROW(backend.drop_database(db)); // idempotent
    EXPECT_EQ(cell(query(shared_admin_url(),
                         "SELECT count(*) FROM pg_roles WHERE rolname = '" + db.role + "'")),
              "0");
    backend.drop_database(again);
}

TEST(pg_backend, a_role_cannot_reach_another_add_ons_database) {
    pg_backend backend(shared_admin_url());
    auto a = backend.create_database("tenant-a");
    auto b = backend.create_database("tenant-b");
    backend.execute(b, "CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('b only')");

    auto a_into_b = a;
    a_into_b.name = b.name;
    try {
        query(a_into_b.url(), "SELECT * FROM secrets");
        ADD_FAILURE() << "role " << a.role << " read database " << b.name;
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("permission denied"), std::string::npos) << e.what();
    }
    EXPECT_EQ(cell(query(b.url(), "SELECT v FROM secrets")), "b only");
    backend.drop_database(a);
    backend.drop_database(b);
}

TEST(pg_backend, execute_seeds_as_the_owner_and_reports_server_errors) {
    pg_backend backend(shared_admin_url());
    auto db = backend.create_database("seeded");
    auto before = backend.database_size(db);
    EXPECT_GT(before, 0);
    backend.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text);"
                        "INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g");
    EXPECT_EQ(cell(query(db.url(), "SELECT count(*) FROM t")), "5000");
    EXPECT_EQ(cell(query(db.url(), "SELECT tableowner FROM pg_tables WHERE tablename = 't'")),
              db.role);
    EXPECT_GT(backend.database_size(db), before);
    try {
        backend.execute(db, "SELEC oops");
        ADD_FAILURE() << "bad SQL did not throw";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
    }
    backend.drop_database(db);
    EXPECT_THROW(backend.database_size(db), std::runtime_error);
    EXPECT_THROW(backend.execute(db, "SELECT 1"), std::runtime_error);
}

TEST(pg_backend, bad_admin_urls_fail_clearly_without_the_password) {
    const std::string secret = "Sup3rSecretPw";
    auto message_of = [](const std::string& url) {
        try {
            pg_backend backend(url);
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    auto garbage = message_of("postgresql://postgres:" + secret + "@127.0.0.1:notaport/x?bad");
    auto unreachable = message_of("postgresql://postgres:" + secret + "@127.0.0.1:1/postgres");
    auto cluster = shared_admin_url();
    auto at = cluster.find('@');
    auto wrong_password = message_of("postgresql://postgres:" + secret + cluster.substr(at));
    for (const auto& m : {garbage, unreachable, wrong_password}) {
        EXPECT_NE(m, "no exception");
        EXPECT_EQ(m.find(secret), std::string::npos) << m;
    }
    EXPECT_NE(unreachable.find("127.0.0.1:1"), std::string::npos) << unreachable;
    EXPECT_NE(wrong_password.find("password authentication failed"), std::string::npos)
        << wrong_password;
    EXPECT_THROW(pg_backend("postgresql:///postgres"), std::runtime_error); // no TCP host

    pg_backend backend(cluster);
    emulator::database_credentials admin{"postgres", "postgres", "", "127.0.0.1", 5432};
    EXPECT_THROW(backend.drop_database(admin), std::invalid_argument);
}

} // namespace
} // namespace pgshift::testing
