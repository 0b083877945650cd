// Read-only looks at PostgreSQL databases: table row counts compared, extensions installed.
#include "daemon/verify.hpp"

#include <libpq-fe.h>
#include <memory>
#include <stdexcept>

namespace pgshift::daemon {
namespace {

using connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using query_result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// libpq ends its messages with a newline: a history line keeps none.
std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

} // namespace

std::string connect_failure(std::string_view libpq_message) {
    const auto says = [&](std::string_view words) {
        return libpq_message.find(words) != std::string_view::npos;
    };
    if (says("password authentication failed") || says("authentication failed")) {
        return "authentication failed";
    }
    if (says("timeout expired")) {
        return "timed out";
    }
    if (says("Connection refused")) {
        return "connection refused";
    }
    if (says("could not translate host name")) {
        return "host name not resolved";
    }
    if (says("does not exist")) {
        return "database or role does not exist";
    }
    if (says("SSL")) {
        return "TLS negotiation failed";
    }
    return "connection failed";
}

namespace {

connection connect(const std::string& url, const char* which,
                   const char* application = "pgshift-verify") {
    // Keywords after the URL override it: a read-only session that cannot hang forever.
    const char* keys[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
    const char* values[] = {url.c_str(), "10",
                            "-c default_transaction_read_only=on -c statement_timeout=600000",
                            application, nullptr};
    connection c(PQconnectdbParams(keys, values, 1), &PQfinish);
    if (!c || PQstatus(c.get()) != CONNECTION_OK) {
        // libpq's message names the host, port and user, and quotes a URL it cannot parse:
        // parts of a credential, so only its category goes to the history and the log.
        throw std::runtime_error(std::string("cannot connect to the ") + which + " database: " +
                                 (c ? connect_failure(PQerrorMessage(c.get())) : "out of memory"));
    }
    return c;
}

query_result run(PGconn* c, const std::string& sql) {
    query_result r(PQexec(c, sql.c_str()), &PQclear);
    if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
        throw std::runtime_error(trimmed(std::string("query failed: ") + PQerrorMessage(c)));
    }
    return r;
}

std::map<std::string, std::int64_t> count_rows(const std::string& url, const char* which) {
    connection c = connect(url, which);
    auto tables = run(c.get(), "SELECT quote_ident(schemaname) || '.' || quote_ident(relname) "
                               "FROM pg_stat_user_tables ORDER BY 1");
    std::map<std::string, std::int64_t> counts;
    for (int i = 0; i < PQntuples(tables.get()); ++i) {
        std::string table = PQgetvalue(tables.get(), i, 0);
        auto n = run(c.get(), "SELECT count(*) FROM " + table);
        counts[table] = std::stoll(PQgetvalue(n.get(), 0, 0));
    }
    return counts;
}

std::string first_difference(const verify_report& r) {
    for (const auto& [table, n] : r.source) {
        auto it = r.target.find(table);
        if (it == r.target.end()) {
            return "table " + table + " is missing in the target";
        }
        if (it->second != n) {
            return "table " + table + " has " + std::to_string(n) + " rows in the source, " +
                   std::to_string(it->second) + " in the target";
        }
    }
    return "the target has tables the source does not";
}

} // namespace

verify_report compare_databases(const std::string& source_url, const std::string& target_url) {
    verify_report r;
    try {
        r.source = count_rows(source_url, "source");
        r.target = count_rows(target_url, "target");
    } catch (const std::exception& e) {
        r.message = e.what();
        return r;
    }
    r.ok = true;
    r.matches = r.source == r.target;
    std::int64_t rows = 0;
    for (const auto& [table, n] : r.source) {
        rows += n;
    }
    const auto counted = [](std::int64_t n, const char* one, const char* many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    r.message = r.matches
                    ? "the same " +
                          counted(static_cast<std::int64_t>(r.source.size()), "table", "tables") +
                          " and " + counted(rows, "row", "rows") + " on both sides"
                    : first_difference(r);
    return r;
}

extensions_report installed_extensions(const std::string& url) {
    extensions_report r;
    try {
        connection c = connect(url, "source", "pgshift-extensions");
        auto names = run(c.get(), "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' "
                                  "ORDER BY 1");
        for (int i = 0; i < PQntuples(names.get()); ++i) {
            r.names.emplace_back(PQgetvalue(names.get(), i, 0));
        }
    } catch (const std::exception& e) {
        r.message = e.what();
        return r;
    }
    r.ok = true;
    return r;
}

} // namespace pgshift::daemon
