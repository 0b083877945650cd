// pg_connection: libpq calls behind RAII; every message leaving here is redacted.
#include "emulator/pg/pg_connection.hpp"

#include <array>

namespace pgshift::emulator::pg_detail {

namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

} // namespace

std::string redact(std::string text, std::string_view secret) {
    if (secret.empty()) {
        return text;
    }
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "********");
        at += 8;
    }
    return text;
}

pg_connection::pg_connection(const connection_params& params)
    : secret_(params.password) {
    const std::array<const char*, 8> keys{
        "host", "port", "user", "password", "dbname", "connect_timeout", "application_name",
        nullptr};
    const std::array<const char*, 8> values{params.host.c_str(),   params.port.c_str(),
                                            params.user.c_str(),   params.password.c_str(),
                                            params.dbname.c_str(), "10",
                                            "pgshift-emulator",    nullptr};
    // expand_dbname = 0: a database name containing '=' must not be read as conninfo.
    conn_.reset(PQconnectdbParams(keys.data(), values.data(), 0));
    if (!conn_) {
        throw pg_error("out of memory connecting to PostgreSQL", "");
    }
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
        throw pg_error(redact("cannot connect to PostgreSQL at " + params.host + ":" + params.port +
                                  " as " + params.user + " (database " + params.dbname +
                                  "): " + trimmed(PQerrorMessage(conn_.get())),
                              secret_),
                       "");
    }
}

pg_result pg_connection::check(PGresult* raw) {
    pg_result result(raw);
    auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        return result;
    }
    std::string message = result ? PQresultErrorMessage(result.get()) : "";
    if (message.empty()) {
        message = PQerrorMessage(conn_.get());
    }
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    throw pg_error(redact(trimmed(message), secret_), state ? state : "");
}

pg_result pg_connection::exec(const std::string& sql) {
    return check(PQexec(conn_.get(), sql.c_str()));
}

pg_result pg_connection::exec_params(const std::string& sql,
                                     const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p.c_str());
    }
    return check(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0));
}

std::string pg_connection::identifier(std::string_view name) {
    char* quoted = PQescapeIdentifier(conn_.get(), name.data(), name.size());
    if (!quoted) {
        throw pg_error("cannot quote identifier: " + trimmed(PQerrorMessage(conn_.get())), "");
    }
    std::string out(quoted);
    PQfreemem(quoted);
    return out;
}

std::string pg_connection::literal(std::string_view value) {
    char* quoted = PQescapeLiteral(conn_.get(), value.data(), value.size());
    if (!quoted) {
        throw pg_error("cannot quote literal: " + trimmed(PQerrorMessage(conn_.get())), "");
    }
    std::string out(quoted);
    PQfreemem(quoted);
    return out;
}

std::string pg_connection::encrypt_password(const std::string& password, const std::string& role) {
    char* hashed = PQencryptPasswordConn(conn_.get(), password.c_str(), role.c_str(), nullptr);
    if (!hashed) {
        throw pg_error(
            redact("cannot hash a password: " + trimmed(PQerrorMessage(conn_.get())), password),
            "");
    }
    std::string out(hashed);
    PQfreemem(hashed);
    return out;
}

} // namespace pgshift::emulator::pg_detail
