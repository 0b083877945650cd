// pg_backend: add-on databases on a real PostgreSQL server, and pg_dump/pg_restore on them.
#pragma once

#include "emulator/pg/running_transfer.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::emulator {

namespace pg_detail {
struct connection_params;
}

struct database_credentials {
    std::string name, role, password, host;
    std::uint16_t port = 0;
    std::string url() const; // postgres://role:password@host:port/name (Heroku's scheme)
};

// Every method opens its own short connection, so one pg_backend is safe to share between
// threads and several transfers may run at once. Methods block; keep them off event loops.
class pg_backend {
public:
    // Parses `admin_url` (a superuser's postgresql:// URI), connects once to check it and
    // finds pg_dump/pg_restore for the server's major version. Throws std::runtime_error
    // (bad URL, unreachable, tools missing); messages never contain the password.
    explicit pg_backend(std::string admin_url);

    // A new LOGIN role with a random password and a database it owns, named after
    // `base_name` (sanitized, suffixed to be unique). Other roles cannot connect to it.
    // Throws std::runtime_error.
    database_credentials create_database(std::string_view base_name);
    // Ends its sessions, drops the database, then the role. Idempotent. Throws on failure.
    void drop_database(const database_credentials& db);
    // Runs `sql` (several statements allowed) as the database's own role. Throws
    // std::runtime_error carrying the server's message.
    void execute(const database_credentials& db, std::string_view sql);
    // pg_database_size. Throws std::runtime_error (e.g. the database does not exist).
    std::int64_t database_size(const database_credentials& db);

    // pg_dump -Fc of `source` (as its role) into `file`; progress is the file's size. On
    // failure the partial file is removed. Throws only if no thread can be started.
    std::unique_ptr<running_transfer> start_dump(const database_credentials& source,
                                                 std::filesystem::path file, transfer_callbacks cb);
    // pg_restore of `file` into `target` (as its role), fed through a pipe; progress is the
    // bytes fed. As on Heroku, the dump's extensions are not restored: each of `extensions`
    // ("hstore" or "schema.hstore") is created first, as the admin; one that cannot be
    // created fails the transfer with a log line. Throws only if no thread can be started.
    std::unique_ptr<running_transfer> start_restore(std::filesystem::path file,
                                                    const database_credentials& target,
                                                    transfer_callbacks cb,
                                                    std::vector<std::string> extensions = {});
    // User tables (every schema but the system ones) in `db`. Throws std::runtime_error.
    int table_count(const database_credentials& db);

private:
    pg_detail::connection_params admin_params() const;

    std::string admin_host_, admin_port_, admin_user_, admin_password_, admin_dbname_;
    std::filesystem::path pg_dump_, pg_restore_;
};

} // namespace pgshift::emulator
