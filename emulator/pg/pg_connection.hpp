// pg_connection: a libpq connection and result as RAII, errors as exceptions (internals).
#pragma once

#include <libpq-fe.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::emulator::pg_detail {

// Where and as whom to connect; passed to libpq as keyword/value pairs, never as a string.
struct connection_params {
    std::string host, port, user, password, dbname;
};

// A server or connection error. `sqlstate` is empty when the server did not answer.
class pg_error : public std::runtime_error {
public:
    pg_error(const std::string& message, std::string sqlstate)
        : std::runtime_error(message)
        , sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const noexcept { return sqlstate_; }

private:
    std::string sqlstate_;
};

struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using pg_result = std::unique_ptr<PGresult, result_deleter>;

class pg_connection {
public:
    // Connects with a 10 s connect timeout. Throws pg_error naming host, port and user;
    // the message never contains the password.
    explicit pg_connection(const connection_params& params);

    // Runs one or more statements; returns the last result. Throws pg_error on failure.
    pg_result exec(const std::string& sql);
    // Runs one statement with text parameters ($1, $2, ...). Throws pg_error on failure.
    pg_result exec_params(const std::string& sql, const std::vector<std::string>& params);

    // Quoted for SQL text; throws pg_error when libpq refuses (e.g. invalid encoding).
    std::string identifier(std::string_view name);
    std::string literal(std::string_view value);

    // `password` hashed for `role` as the server's password_encryption asks (SCRAM), for
    // CREATE/ALTER ROLE ... PASSWORD. Throws pg_error.
    std::string encrypt_password(const std::string& password, const std::string& role);

    int server_version() const noexcept { return PQserverVersion(conn_.get()); }

private:
    pg_result check(PGresult* raw);

    struct conn_deleter {
        void operator()(PGconn* c) const noexcept { PQfinish(c); }
    };
    std::unique_ptr<PGconn, conn_deleter> conn_;
    std::string secret_;
};

// `text` with every occurrence of `secret` replaced by "********".
std::string redact(std::string text, std::string_view secret);

} // namespace pgshift::emulator::pg_detail
