// pgshiftd's configuration: TOML file, then environment, then flags; validated before use.
#pragma once

#include "daemon/engine_options.hpp"
#include "daemon/log.hpp"
#include "heroku/client.hpp"
#include "heroku/secret_token.hpp"
#include "statemachine/result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::daemon {

// api.listen: "127.0.0.1:7432", "[::1]:7432" (IP literals only) or "unix:/run/x.sock".
struct listen_address {
    bool unix_socket = false;
    std::string host = "127.0.0.1"; // IP literal, no brackets
    std::uint16_t port = 7432;
    std::filesystem::path path;    // the socket, when unix_socket
    bool loopback() const;         // 127/8, ::1, or a unix socket: no token required
    std::string to_string() const; // the spelling parse_listen_address reads
};
std::optional<listen_address> parse_listen_address(std::string_view text);

// Where a secret comes from. Holds the value only when it came from the environment.
struct secret_source {
    std::optional<std::filesystem::path> file;
    heroku::secret_token value;
    std::string origin; // "--token-file", "$HEROKU_API_KEY", "/etc/x.toml:7", ...; "" none
};

struct config {
    std::optional<std::filesystem::path> file; // the TOML file read
    std::filesystem::path state_dir;
    listen_address listen;
    std::optional<std::filesystem::path> api_token_file; // control API bearer token
    // A control API client that has not sent a request's headers by then is closed.
    std::chrono::seconds api_header_timeout{5};
    log_level level = log_level::info;
    bool heroku_requests_at_debug = false; // log.heroku_requests = "debug"
    heroku::client_options heroku;         // URLs, CA file, rate budget; .log is the caller's
    secret_source heroku_token;
    std::chrono::seconds drain_timeout{20};
    bool exit_when_idle = false;
    engine_options engine;
    bool check_only = false;         // --check-config
    std::optional<std::string> help; // --help: print this to stdout, exit 0; nothing else set
    // Setting name -> where its value came from ("f.toml:3", "$PGSHIFT_X", "--x").
    std::map<std::string, std::string, std::less<>> origins;
    std::string origin(std::string_view setting) const; // "default" when not set
};

using env_lookup = std::function<const char*(const char*)>;

// Reads the TOML file (--config or $PGSHIFT_CONFIG), the environment and args (argv
// without argv[0]); later sources win. Checks every value's syntax and the rules between
// settings; touches no file but the TOML file. The error is one line naming the setting
// and its source ("api.listen (/etc/pgshift/pgshiftd.toml:4): ..."); it never holds a token.
result<config> load_config(const std::vector<std::string>& args, const env_lookup& getenv);

struct checked_config {
    heroku::secret_token heroku_token;
    std::optional<heroku::secret_token> api_token; // when api_token_file is set
    std::string summary; // one line for --check-config and the start-up log; no secret
};

// The rest of --check-config: reads both tokens (present, one line, printable), the CA
// file is readable, the state directory is writable or can be created. Creates nothing.
// Errors as load_config's.
result<checked_config> check_config(const config& cfg);

} // namespace pgshift::daemon
