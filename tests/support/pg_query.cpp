// pg_query: libpq for tests: one short connection per call, errors thrown with the server's words.
#include "tests/support/pg_query.hpp"

#include <array>
#include <libpq-fe.h>
#include <memory>
#include <stdexcept>

namespace pgshift::testing {

namespace {

struct conn_deleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using connection = std::unique_ptr<PGconn, conn_deleter>;

connection connect(const std::string& url) {
    const std::array<const char*, 3> keys{"dbname", "connect_timeout", nullptr};
    const std::array<const char*, 3> values{url.c_str(), "10", nullptr};
    // expand_dbname: `url` is a whole URI; the timeout given after it still applies.
    connection conn(PQconnectdbParams(keys.data(), values.data(), 1));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("cannot connect: ") +
                                 (conn ? PQerrorMessage(conn.get()) : "out of memory"));
    }
    return conn;
}

pg_rows run(PGconn* conn, const std::string& sql) {
    std::unique_ptr<PGresult, result_deleter> res(PQexec(conn, sql.c_str()));
    auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        throw std::runtime_error("query failed: " + std::string(PQerrorMessage(conn)) +
                                 " in: " + sql);
    }
    pg_rows rows;
    for (int r = 0; r < PQntuples(res.get()); ++r) {
        auto& row = rows.emplace_back();
        for (int c = 0; c < PQnfields(res.get()); ++c) {
            if (PQgetisnull(res.get(), r, c) != 0) {
                row.emplace_back(std::nullopt);
            } else {
                row.emplace_back(PQgetvalue(res.get(), r, c));
            }
        }
    }
    return rows;
}

// Ordinary tables (partitions included, partitioned parents not: no double counting)
// outside pg_catalog, information_schema and pg_toast, as quoted "schema"."name" pairs.
constexpr const char* user_tables_sql =
    "SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' "
    "ORDER BY (n.nspname || '.' || c.relname) COLLATE \"C\"";

constexpr const char* sequences_sql =
    "SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "ORDER BY (n.nspname || '.' || c.relname) COLLATE \"C\"";

} // namespace

pg_rows query(const std::string& url, const std::string& sql) {
    auto conn = connect(url);
    return run(conn.get(), sql);
}

void exec(const std::string& url, const std::string& sql) {
    query(url, sql);
}

std::map<std::string, std::int64_t> table_row_counts(const std::string& url) {
    auto conn = connect(url);
    std::map<std::string, std::int64_t> counts;
    for (const auto& t : run(conn.get(), user_tables_sql)) {
        auto rows = run(conn.get(), "SELECT count(*) FROM " + *t[1]);
        counts[*t[0]] = std::stoll(*rows[0][0]);
    }
    return counts;
}

std::vector<std::string> content_manifest(const std::string& url) {
    auto conn = connect(url);
    std::vector<std::string> lines;
    // Rows sorted by their text form under "C": the same order in any database or locale.
    for (const auto& t : run(conn.get(), user_tables_sql)) {
        auto digest = run(conn.get(), "SELECT md5(coalesce(string_agg(r::text, E'\\n' ORDER BY "
                                      "r::text COLLATE \"C\"), '')), count(*) FROM " +
                                          *t[1] + " r");
        lines.push_back("table " + *t[0] + " " + *digest[0][0] + " " + *digest[0][1]);
    }
    for (const auto& s : run(conn.get(), sequences_sql)) {
        auto state = run(conn.get(), "SELECT last_value, is_called FROM " + *s[1]);
        lines.push_back("sequence " + *s[0] + " " + *state[0][0] + " " + *state[0][1]);
    }
    return lines;
}

std::string content_digest(const std::string& url) {
    std::string manifest;
    for (const auto& line : content_manifest(url)) {
        manifest += line + "\n";
    }
    auto conn = connect(url);
    const char* params[] = {manifest.c_str()};
    std::unique_ptr<PGresult, result_deleter> res(
        PQexecParams(conn.get(), "SELECT md5($1)", 1, nullptr, params, nullptr, nullptr, 0));
    if (!res || PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
        throw std::runtime_error("md5 failed: " + std::string(PQerrorMessage(conn.get())));
    }
    return PQgetvalue(res.get(), 0, 0);
}

} // namespace pgshift::testing
