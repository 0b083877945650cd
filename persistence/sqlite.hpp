// RAII wrappers for an SQLite connection, a prepared statement and a transaction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace pgshift::sqlite {

// Infrastructure failure (I/O error, disk full, corrupt file, misuse). Callers stop acting
// on Heroku when they see one: nothing may happen that was not committed first.
class error : public std::runtime_error {
public:
    error(int code, const std::string& what)
        : std::runtime_error(what)
        , code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

// One connection, opened with the settings the crash-safety rule needs: WAL (verified),
// synchronous=FULL, foreign keys on, a busy timeout; a new file is created with mode 0600.
// The WAL is checkpointed automatically and kept near wal_size_limit.
class database {
public:
    static constexpr std::int64_t wal_size_limit = 4 * 1024 * 1024;

    explicit database(const std::filesystem::path& file); // throws sqlite::error
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    void exec(std::string_view sql); // throws sqlite::error
    int changes() const noexcept;
    sqlite3* handle() const noexcept { return db_; }
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

// A prepared statement. Binding indexes start at 1, column indexes at 0.
class statement {
public:
    statement(database& db, std::string_view sql); // throws sqlite::error
    ~statement();
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    // The index of the named parameter `name` (":id"); throws sqlite::error when the
    // statement has no such parameter, so a misspelt name fails loudly, never binds nothing.
    int parameter(std::string_view name) const;

    statement& bind(int index, std::int64_t value);
    statement& bind(int index, std::string_view value);
    statement& bind(int index, std::nullopt_t);
    template<class T>
    statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, std::nullopt);
    }

    bool step(); // true: a row is ready; false: done. Throws sqlite::error.
    void run();  // step() to completion, for statements that return no rows
    void reset();

    bool is_null(int column) const;
    std::int64_t int64(int column) const;
    std::string text(int column) const;
    std::optional<std::int64_t> opt_int64(int column) const;

private:
    statement& check_bind(int rc);
    database& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE: takes the write lock up front, so a transaction never fails half-way
// with SQLITE_BUSY on its first write. Rolls back unless commit() succeeded.
class transaction {
public:
    explicit transaction(database& db); // throws sqlite::error
    ~transaction() noexcept;
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

    // Throws sqlite::error; the transaction is then rolled back. Every statement must be
    // done, reset or destroyed first (SQLITE_MISUSE otherwise): see the WAL note in commit.
    void commit();

private:
    database& db_;
    bool done_ = false;
};

} // namespace pgshift::sqlite
