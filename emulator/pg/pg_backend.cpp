// pg_backend: add-on databases (role + database per add-on) and the tools that move them.
#include "emulator/pg/pg_backend.hpp"

#include "emulator/pg/pg_connection.hpp"
#include "emulator/pg/restore_prep.hpp"
#include "emulator/pg/transfer_runner.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <sys/random.h>
#include <unistd.h>

namespace pgshift::emulator {

using pg_detail::connection_params;
using pg_detail::pg_connection;
using pg_detail::pg_error;

namespace {

constexpr std::string_view duplicate_object = "42710";   // CREATE ROLE: name taken
constexpr std::string_view duplicate_database = "42P04"; // CREATE DATABASE: name taken
constexpr std::size_t max_base_length = 40;              // + "_" + 8 hex < NAMEDATALEN

std::string random_hex(std::size_t bytes) {
    std::array<unsigned char, 32> raw{};
    std::size_t got = 0;
    while (got < bytes) {
        ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
        if (n < 0 && errno != EINTR) {
            throw std::runtime_error("pg_backend: getrandom failed");
        }
        got += n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    constexpr std::string_view digits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i) {
        out += digits[raw[i] >> 4];
        out += digits[raw[i] & 0xf];
    }
    return out;
}

// Lower-case letters, digits and single underscores, starting with a letter, so the name
// reads the same quoted or not (psql users type it unquoted).
std::string sanitize(std::string_view base) {
    std::string out;
    for (char c : base) {
        bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
            keep = true;
        }
        if (keep) {
            out += c;
        } else if (!out.empty() && out.back() != '_') {
            out += '_';
        }
    }
    while (!out.empty() && out.back() == '_') {
        out.pop_back();
    }
    if (out.empty() || !(out[0] >= 'a' && out[0] <= 'z')) {
        out = "db_" + out;
    }
    out.resize(std::min(out.size(), max_base_length));
    if (out.back() == '_') {
        out.pop_back(); // the suffix brings its own separator
    }
    return out;
}

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text) {
    constexpr std::string_view digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 0xf];
        }
    }
    return out;
}

connection_params as_role(const database_credentials& db) {
    return {db.host, std::to_string(db.port), db.role, db.password, db.name};
}

} // namespace

std::string database_credentials::url() const {
    // An IPv6 literal needs brackets, or its colons would read as the port.
    auto at = host.find(':') == std::string::npos ? host : "[" + host + "]";
    return "postgres://" + url_encode(role) + ":" + url_encode(password) + "@" + at + ":" +
           std::to_string(port) + "/" + url_encode(name);
}

namespace {

struct conninfo_deleter {
    void operator()(PQconninfoOption* o) const noexcept { PQconninfoFree(o); }
};

// Throws std::runtime_error; libpq's own parse message is not used because it may quote
// the URL, password included.
connection_params parse_admin_url(const std::string& url) {
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, conninfo_deleter> options(
        PQconninfoParse(url.c_str(), &error));
    PQfreemem(error);
    if (!options) {
        throw std::runtime_error("pg_backend: the admin URL is not a PostgreSQL URI (expected "
                                 "postgresql://user:password@host:port/database)");
    }
    connection_params p;
    for (const auto* o = options.get(); o->keyword != nullptr; ++o) {
        std::string_view key = o->keyword;
        std::string value = o->val != nullptr ? o->val : "";
        if (key == "host") {
            p.host = value;
        } else if (key == "port") {
            p.port = value;
        } else if (key == "user") {
            p.user = value;
        } else if (key == "password") {
            p.password = value;
        } else if (key == "dbname") {
            p.dbname = value;
        }
    }
    // Add-on URLs are handed to other processes: they need one TCP host, not a socket path.
    if (p.host.empty() || p.host[0] == '/' || p.host.find(',') != std::string::npos ||
        p.user.empty()) {
        throw std::runtime_error("pg_backend: the admin URL must name one TCP host and a user");
    }
    p.port = p.port.empty() ? "5432" : p.port;
    p.dbname = p.dbname.empty() ? "postgres" : p.dbname;
    return p;
}

// The Debian layout first (the tools must be at least the server's version), then PATH.
std::filesystem::path find_tool(const std::string& name, int server_version) {
    std::string major = std::to_string(server_version / 10000);
    std::vector<std::filesystem::path> dirs{"/usr/lib/postgresql/" + major + "/bin"};
    const char* env = std::getenv("PATH"); // NOLINT(concurrency-mt-unsafe): nobody sets it
    std::string path = env != nullptr ? env : "";
    for (std::size_t from = 0; from <= path.size();) {
        auto to = std::min(path.find(':', from), path.size());
        dirs.emplace_back(path.substr(from, to - from));
        from = to + 1;
    }
    for (const auto& dir : dirs) {
        auto candidate = dir / name;
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    throw std::runtime_error("pg_backend: " + name + " for PostgreSQL " + major +
                             " not found in /usr/lib/postgresql/" + major + "/bin or PATH");
}

std::vector<std::string> tool_env(const database_credentials& db) {
    // A whole environment, not the emulator's: no PGSERVICE/PGPASSFILE surprises, and
    // LC_ALL=C keeps messages (e.g. "errors ignored on restore") in English.
    return {"PGPASSWORD=" + db.password, "PGCONNECT_TIMEOUT=10", "PGAPPNAME=pgshift-emulator",
            "LC_ALL=C"};
}

std::vector<std::string> target_args(const database_credentials& db) {
    return {"--no-password", "--host=" + db.host, "--port=" + std::to_string(db.port),
            "--username=" + db.role, "--dbname=" + db.name};
}

} // namespace

pg_backend::pg_backend(std::string admin_url) {
    auto p = parse_admin_url(admin_url);
    pg_connection admin(p); // throws pg_error (a std::runtime_error), password redacted
    admin_host_ = p.host;
    admin_port_ = p.port;
    admin_user_ = p.user;
    admin_password_ = p.password;
    admin_dbname_ = p.dbname;
    auto port = std::stoul(p.port);
    if (port == 0 || port > 65535) {
        throw std::runtime_error("pg_backend: the admin URL's port is out of range");
    }
    pg_dump_ = find_tool("pg_dump", admin.server_version());
    pg_restore_ = find_tool("pg_restore", admin.server_version());
}

namespace {

// Owner-only: PUBLIC loses CONNECT, so another add-on's role cannot even log in here.
void create_owned_database(pg_connection& admin, const database_credentials& db) {
    auto name = admin.identifier(db.name);
    // template0: nobody is ever connected to it, so concurrent creations cannot collide on
    // "source database is being accessed by other users".
    admin.exec("CREATE DATABASE " + name + " OWNER " + admin.identifier(db.role) +
               " TEMPLATE template0");
    admin.exec("REVOKE ALL ON DATABASE " + name + " FROM PUBLIC");
}

void drop_role_quietly(pg_connection& admin, const std::string& role) noexcept {
    try {
        admin.exec("DROP ROLE IF EXISTS " + admin.identifier(role));
    } catch (const std::exception&) { // NOLINT(bugprone-empty-catch): cleanup after a failure
    }
}

} // namespace

connection_params pg_backend::admin_params() const {
    return {admin_host_, admin_port_, admin_user_, admin_password_, admin_dbname_};
}

database_credentials pg_backend::create_database(std::string_view base_name) {
    pg_connection admin(admin_params());
    auto base = sanitize(base_name);
    for (int attempt = 0; attempt < 5; ++attempt) {
        database_credentials db;
        db.name = base + "_" + random_hex(4);
        db.role = db.name;
        db.password = random_hex(16);
        db.host = admin_host_;
        db.port = static_cast<std::uint16_t>(std::stoul(admin_port_));
        try {
            // Hashed client-side: the plain password never reaches the server or its logs.
            admin.exec("CREATE ROLE " + admin.identifier(db.role) + " LOGIN PASSWORD " +
                       admin.literal(admin.encrypt_password(db.password, db.role)));
        } catch (const pg_error& e) {
            if (e.sqlstate() == duplicate_object) {
                continue;
            }
            throw;
        }
        try {
            create_owned_database(admin, db);
            return db;
        } catch (const pg_error& e) {
            drop_role_quietly(admin, db.role);
            if (e.sqlstate() != duplicate_database) {
                throw;
            }
        }
    }
    throw std::runtime_error("pg_backend: no free database name for " + base);
}

void pg_backend::drop_database(const database_credentials& db) {
    if (db.name == admin_dbname_ || db.role == admin_user_ || db.name == "template0" ||
        db.name == "template1" || db.name == "postgres") {
        throw std::invalid_argument("pg_backend: refusing to drop " + db.name + "/" + db.role +
                                    ": not an add-on database");
    }
    pg_connection admin(admin_params());
    // The role's sessions elsewhere (e.g. in `postgres`) end too: it is about to vanish.
    admin.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = $1 OR usename = $2",
                      {db.name, db.role});
    admin.exec("DROP DATABASE IF EXISTS " + admin.identifier(db.name) + " WITH (FORCE)");
    admin.exec("DROP ROLE IF EXISTS " + admin.identifier(db.role));
}

void pg_backend::execute(const database_credentials& db, std::string_view sql) {
    pg_connection conn(as_role(db));
    conn.exec(std::string(sql));
}

std::int64_t pg_backend::database_size(const database_credentials& db) {
    pg_connection admin(admin_params());
    auto result = admin.exec_params("SELECT pg_database_size($1)", {db.name});
    return std::stoll(PQgetvalue(result.get(), 0, 0));
}

std::unique_ptr<running_transfer> pg_backend::start_dump(const database_credentials& source,
                                                         std::filesystem::path file,
                                                         transfer_callbacks cb) {
    pg_detail::tool_command command{
        {pg_dump_, target_args(source), tool_env(source)}, source.password, {}, {}};
    command.spawn.args.insert(command.spawn.args.begin(), "--format=custom");
    command.spawn.args.push_back("--file=" + file.string());
    return pg_detail::start_dump_thread(std::move(command), std::move(file), std::move(cb));
}

// --no-owner --no-acl: the target's own role owns everything restored, as on Heroku.
// --clean --if-exists: a restore replaces what the target holds (Heroku's restore is
// destructive) without "does not exist" errors on a fresh target, so a clean restore
// reports 0 warnings. Errors pg_restore ignores become warnings (transfer_runner.cpp).
// --use-list: the dump's contents without its extensions (restore_prep.cpp), in a file of
// its own per restore, so two restores of one backup never share it.
std::unique_ptr<running_transfer> pg_backend::start_restore(std::filesystem::path file,
                                                            const database_credentials& target,
                                                            transfer_callbacks cb,
                                                            std::vector<std::string> extensions) {
    pg_detail::tool_command command{
        {pg_restore_, target_args(target), tool_env(target)}, target.password, {}, {}};
    auto list = file;
    list += ".list-" + random_hex(8);
    command.spawn.args.insert(
        command.spawn.args.begin(),
        {"--no-owner", "--no-acl", "--clean", "--if-exists", "--use-list=" + list.string()});
    auto admin = admin_params();
    admin.dbname = target.name;
    command.prepare =
        [prep = pg_detail::restore_prep{pg_restore_, file, list, admin, std::move(extensions)}](
            pg_detail::transfer_state& state) {
            return pg_detail::prepare_restore(state, prep);
        };
    command.scratch = list;
    return pg_detail::start_restore_thread(std::move(command), std::move(file), std::move(cb));
}

int pg_backend::table_count(const database_credentials& db) {
    auto params = admin_params();
    params.dbname = db.name;
    pg_connection admin(params);
    auto result = admin.exec("SELECT count(*) FROM pg_catalog.pg_class c "
                             "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                             "WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' "
                             "AND n.nspname NOT LIKE 'pg\\_%'");
    return std::stoi(PQgetvalue(result.get(), 0, 0));
}

} // namespace pgshift::emulator
