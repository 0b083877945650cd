// The SQLite RAII layer: settings on open, file mode, transactions, errors.
#include "persistence/sqlite.hpp"
#include "tests/unit/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace pgshift::sqlite {
namespace {

std::string pragma(database& db, const std::string& name) {
    statement st(db, "PRAGMA " + name);
    EXPECT_TRUE(st.step());
    return st.text(0);
}

std::int64_t count(database& db, const std::string& table) {
    statement st(db, "SELECT count(*) FROM " + table);
    st.step();
    return st.int64(0);
}

TEST(sqlite, open_sets_wal_full_sync_and_foreign_keys) {
    testing::temp_dir dir;
    database db(dir / "x.db");
    EXPECT_EQ(pragma(db, "journal_mode"), "wal");
    EXPECT_EQ(pragma(db, "synchronous"), "2"); // FULL
    EXPECT_EQ(pragma(db, "foreign_keys"), "1");
    EXPECT_EQ(pragma(db, "busy_timeout"), "5000");
}

TEST(sqlite, new_file_is_private) {
    testing::temp_dir dir;
    database db(dir / "x.db");
    db.exec("CREATE TABLE t (a INTEGER)");
    struct stat st {};
    ASSERT_EQ(::stat((dir / "x.db").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    ASSERT_EQ(::stat((dir / "x.db-wal").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0077, 0);
}

TEST(sqlite, transaction_rolls_back_unless_committed) {
    testing::temp_dir dir;
    database db(dir / "x.db");
    db.exec("CREATE TABLE t (a INTEGER)");
    {
        transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
    }
    EXPECT_EQ(count(db, "t"), 0);
    {
        transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
        tx.commit();
    }
    EXPECT_EQ(count(db, "t"), 1);
}

// A statement left on its row at COMMIT would hold a read snapshot past the commit, and no
// checkpoint could ever reach the WAL's end: commit refuses instead of letting it grow.
TEST(sqlite, commit_refuses_while_a_statement_is_still_on_a_row) {
    testing::temp_dir dir;
    database db(dir / "x.db");
    db.exec("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2)");
    {
        transaction tx(db);
        statement open_cursor(db, "SELECT a FROM t");
        ASSERT_TRUE(open_cursor.step());
        db.exec("INSERT INTO t VALUES (3)");
        try {
            tx.commit();
            ADD_FAILURE() << "COMMIT went through with a statement on a row";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), 21); // SQLITE_MISUSE
            EXPECT_NE(std::string(e.what()).find("SELECT a FROM t"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(count(db, "t"), 2) << "the refused transaction is rolled back";
    {
        transaction tx(db);
        statement done_cursor(db, "SELECT a FROM t");
        ASSERT_TRUE(done_cursor.step());
        done_cursor.reset();
        db.exec("INSERT INTO t VALUES (3)");
        tx.commit();
    }
    EXPECT_EQ(count(db, "t"), 3);
}

TEST(sqlite, the_wal_is_checkpointed_and_kept_small) {
    testing::temp_dir dir;
    database db(dir / "x.db");
    EXPECT_EQ(pragma(db, "wal_autocheckpoint"), "1000");
    EXPECT_EQ(pragma(db, "journal_size_limit"), std::to_string(database::wal_size_limit));
}

TEST(sqlite, committed_rows_survive_reopen) {
    testing::temp_dir dir;
    {
        database db(dir / "x.db");
        db.exec("CREATE TABLE t (a TEXT)");
        statement st(db, "INSERT INTO t VALUES (?)");
        st.bind(1, std::string_view("kept")).run();
    }
    database db(dir / "x.db");
    statement st(db, "SELECT a FROM t");
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.text(0), "kept");
}

TEST(sqlite, bad_sql_throws_with_the_reason) {
    testing::temp_dir dir;
    database db(dir / "x.db");
    try {
        statement st(db, "SELEC 1");
        FAIL() << "prepare should have thrown";
    } catch (const error& e) {
        EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
    }
    EXPECT_THROW(db.exec("INSERT INTO missing VALUES (1)"), error);
}

TEST(sqlite, constraint_violation_keeps_its_code) {
    testing::temp_dir dir;
    database db(dir / "x.db");
    db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY)");
    db.exec("INSERT INTO t VALUES (1)");
    try {
        db.exec("INSERT INTO t VALUES (1)");
        FAIL();
    } catch (const error& e) {
        EXPECT_EQ(e.code() & 0xff, 19); // SQLITE_CONSTRAINT
    }
}

TEST(sqlite, a_file_that_is_not_a_database_is_refused) {
    testing::temp_dir dir;
    std::ofstream(dir / "junk.db") << std::string(8192, 'x');
    EXPECT_THROW(database(dir / "junk.db"), error);
}

TEST(sqlite, a_missing_directory_is_a_clear_error) {
    testing::temp_dir dir;
    try {
        database db(dir / "no/such/dir/x.db");
        FAIL();
    } catch (const error& e) {
        EXPECT_NE(std::string(e.what()).find("no/such/dir"), std::string::npos) << e.what();
    }
}

TEST(sqlite, optional_binding_and_reading) {
    testing::temp_dir dir;
    database db(dir / "x.db");
    db.exec("CREATE TABLE t (a INTEGER, b TEXT)");
    statement ins(db, "INSERT INTO t VALUES (?, ?)");
    ins.bind(1, std::optional<std::int64_t>{}).bind(2, std::optional<std::string>{"b"}).run();
    statement sel(db, "SELECT a, b FROM t");
    ASSERT_TRUE(sel.step());
    EXPECT_TRUE(sel.is_null(0));
    EXPECT_EQ(sel.opt_int64(0), std::nullopt);
    EXPECT_EQ(sel.text(1), "b");
    EXPECT_FALSE(sel.step());
}

} // namespace
} // namespace pgshift::sqlite
