// RAII wrappers for an SQLite connection, a prepared statement and a transaction.
#include "persistence/sqlite.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pgshift::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
    std::string message(what);
    message += ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw error(rc, message);
}

// SQLite gives its -wal and -shm files the mode of the main file, so creating the main file
// 0600 ourselves keeps the whole database private.
void create_private(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw error(SQLITE_CANTOPEN,
                    "cannot create " + file.string() + ": " + std::strerror(errno));
    }
    ::fchmod(fd, 0600);
    ::close(fd);
}

std::string single_text(database& db, std::string_view sql) {
    statement st(db, sql);
    return st.step() ? st.text(0) : std::string();
}

} // namespace

database::database(const std::filesystem::path& file)
    : path_(file) {
    create_private(file);
    int rc =
        sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = "cannot open " + file.string();
        sqlite3* failed = db_;
        db_ = nullptr;
        std::string detail = failed != nullptr ? sqlite3_errmsg(failed) : sqlite3_errstr(rc);
        sqlite3_close(failed);
        throw error(rc, message + ": " + detail);
    }
    sqlite3_extended_result_codes(db_, 1);
    try {
        sqlite3_busy_timeout(db_, 5000);
        // journal_mode answers the mode it ended up in; anything but wal (e.g. a file system
        // without shared memory) would silently lose the durability we rely on.
        std::string mode = single_text(*this, "PRAGMA journal_mode=WAL");
        if (mode != "wal") {
            throw error(SQLITE_ERROR,
                        file.string() + ": journal_mode is '" + mode + "', WAL is required");
        }
        exec("PRAGMA synchronous=FULL");
        // A daemon runs for months: the WAL is checkpointed every ~4 MB of commits (SQLite's
        // default, made explicit) and cut back to this size once a checkpoint restarted it.
        exec("PRAGMA wal_autocheckpoint=1000");
        exec("PRAGMA journal_size_limit=" + std::to_string(wal_size_limit));
        exec("PRAGMA foreign_keys=ON");
        if (single_text(*this, "PRAGMA foreign_keys") != "1") {
            throw error(SQLITE_ERROR, "foreign keys could not be enabled");
        }
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

database::~database() {
    // Every statement is finalized by its own RAII owner first, so close cannot be busy.
    sqlite3_close(db_);
}

void database::exec(std::string_view sql) {
    std::string owned(sql);
    char* message = nullptr;
    int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message != nullptr ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw error(rc, "sql failed: " + text);
    }
}

int database::changes() const noexcept {
    return sqlite3_changes(db_);
}

statement::statement(database& db, std::string_view sql)
    : db_(db) {
    int rc =
        sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) {
        fail(db.handle(), rc, "prepare failed");
    }
}

statement::~statement() {
    sqlite3_finalize(stmt_);
}

statement& statement::check_bind(int rc) {
    if (rc != SQLITE_OK) {
        fail(db_.handle(), rc, "bind failed");
    }
    return *this;
}

int statement::parameter(std::string_view name) const {
    const std::string terminated(name);
    const int index = sqlite3_bind_parameter_index(stmt_, terminated.c_str());
    if (index == 0) {
        throw error(SQLITE_RANGE, "no SQL parameter " + terminated);
    }
    return index;
}

statement& statement::bind(int index, std::int64_t value) {
    return check_bind(sqlite3_bind_int64(stmt_, index, value));
}

statement& statement::bind(int index, std::string_view value) {
    return check_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                                          SQLITE_TRANSIENT, SQLITE_UTF8));
}

statement& statement::bind(int index, std::nullopt_t) {
    return check_bind(sqlite3_bind_null(stmt_, index));
}

bool statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    fail(db_.handle(), rc, "statement failed");
}

void statement::run() {
    while (step()) {
    }
}

void statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t statement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string statement::text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    int n = sqlite3_column_bytes(stmt_, column);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n))
                        : std::string();
}

std::optional<std::int64_t> statement::opt_int64(int column) const {
    if (is_null(column)) {
        return std::nullopt;
    }
    return int64(column);
}

transaction::transaction(database& db)
    : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

transaction::~transaction() noexcept {
    if (!done_) {
        // A failed COMMIT may already have rolled back; ROLLBACK then fails harmlessly.
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void transaction::commit() {
    // A statement still on a row at COMMIT keeps its read snapshot past the commit: the
    // checkpoint after it never reaches the WAL's end and the WAL grows forever. Refuse.
    for (sqlite3_stmt* st = sqlite3_next_stmt(db_.handle(), nullptr); st != nullptr;
         st = sqlite3_next_stmt(db_.handle(), st)) {
        if (sqlite3_stmt_busy(st) != 0) {
            throw error(SQLITE_MISUSE,
                        std::string("COMMIT with a statement still active: ") + sqlite3_sql(st));
        }
    }
    db_.exec("COMMIT");
    done_ = true;
}

} // namespace pgshift::sqlite
