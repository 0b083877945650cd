// pgshiftd's command line and environment (a minimal set until the control API issue).
#pragma once

#include "daemon/engine_options.hpp"
#include "heroku/client.hpp"
#include "statemachine/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::daemon {

struct daemon_options {
    std::filesystem::path state_dir;
    heroku::client_options heroku;
    std::optional<std::filesystem::path> token_file;
    std::vector<upgrade_request> start; // --start APP:PLAN[:VERSION], temporary
    bool exit_when_idle = false;
    engine_options engine;
};

// Parses argv (without argv[0]) over the environment ($STATE_DIRECTORY, $PGSHIFT_PLATFORM_URL,
// $PGSHIFT_DATA_URL). invalid names the offending flag or value.
result<daemon_options> parse_options(const std::vector<std::string>& args,
                                     const std::function<const char*(const char*)>& getenv);

// The Heroku token: --token-file, else $HEROKU_API_KEY, else
// $CREDENTIALS_DIRECTORY/heroku-token (systemd credentials). invalid says where it looked.
result<heroku::secret_token> load_token(const daemon_options& o,
                                        const std::function<const char*(const char*)>& getenv);

extern const char* const usage_text;

} // namespace pgshift::daemon
