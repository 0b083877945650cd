// pgshiftd's command line and environment (a minimal set until the control API issue).
#include "daemon/options.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace pgshift::daemon {
namespace {

std::optional<upgrade_request> parse_start(const std::string& spec) {
    // APP:PLAN[:VERSION] where PLAN is heroku-postgresql:<plan>, itself with a colon.
    auto first = spec.find(':');
    if (first == std::string::npos || first == 0) {
        return std::nullopt;
    }
    upgrade_request r;
    r.app = spec.substr(0, first);
    std::string rest = spec.substr(first + 1);
    if (!rest.starts_with("heroku-postgresql:")) {
        return std::nullopt;
    }
    auto version = rest.find(':', std::string("heroku-postgresql:").size());
    r.plan = rest.substr(0, version);
    if (version != std::string::npos) {
        r.pg_version = rest.substr(version + 1);
    }
    if (r.plan.size() == std::string("heroku-postgresql:").size()) {
        return std::nullopt;
    }
    return r;
}

std::optional<std::chrono::milliseconds> parse_ms(const std::string& text) {
    long long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || v <= 0) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(v);
}

} // namespace

const char* const usage_text =
    "usage: pgshiftd [--state-dir DIR] [--platform-url URL] [--data-url URL] [--ca-file PEM]\n"
    "                [--token-file FILE] [--start APP:PLAN[:VERSION]]... [--exit-when-idle]\n"
    "                [--poll-ms N] [--progress-ms N] [--backoff-ms N] [--stall-ms N]\n"
    "Token: --token-file, $HEROKU_API_KEY or $CREDENTIALS_DIRECTORY/heroku-token.\n";

result<daemon_options> parse_options(const std::vector<std::string>& args,
                                     const std::function<const char*(const char*)>& getenv) {
    daemon_options o;
    if (const char* dir = getenv("STATE_DIRECTORY")) {
        o.state_dir = dir;
    }
    if (const char* url = getenv("PGSHIFT_PLATFORM_URL")) {
        o.heroku.platform_base = url;
    }
    if (const char* url = getenv("PGSHIFT_DATA_URL")) {
        o.heroku.data_base = url;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        if (flag == "--exit-when-idle") {
            o.exit_when_idle = true;
            continue;
        }
        if (i + 1 >= args.size()) {
            return error{errc::invalid, flag + ": unknown flag or missing value"};
        }
        const std::string& value = args[++i];
        if (flag == "--state-dir") {
            o.state_dir = value;
        } else if (flag == "--platform-url") {
            o.heroku.platform_base = value;
        } else if (flag == "--data-url") {
            o.heroku.data_base = value;
        } else if (flag == "--ca-file") {
            o.heroku.ca_file = value;
        } else if (flag == "--token-file") {
            o.token_file = value;
        } else if (flag == "--start") {
            auto r = parse_start(value);
            if (!r) {
                return error{errc::invalid, "--start " + value +
                                                ": expected APP:heroku-postgresql:PLAN[:VERSION]"};
            }
            o.start.push_back(*r);
        } else if (flag == "--poll-ms" || flag == "--progress-ms" || flag == "--backoff-ms" ||
                   flag == "--stall-ms") {
            auto ms = parse_ms(value);
            if (!ms) {
                return error{errc::invalid, flag + " " + value + ": expected milliseconds > 0"};
            }
            if (flag == "--poll-ms") {
                o.engine.poll_interval = *ms;
                o.engine.poll_min = std::min(o.engine.poll_min, *ms);
            } else if (flag == "--progress-ms") {
                o.engine.progress_every = *ms;
            } else if (flag == "--stall-ms") {
                o.engine.stall_after = *ms;
            } else {
                o.engine.retry.first_backoff = *ms;
            }
        } else {
            return error{errc::invalid, flag + ": unknown flag"};
        }
    }
    if (o.state_dir.empty()) {
        return error{errc::invalid, "no state directory: give --state-dir or $STATE_DIRECTORY"};
    }
    return o;
}

result<heroku::secret_token> load_token(const daemon_options& o,
                                        const std::function<const char*(const char*)>& getenv) {
    auto from_file = [](const std::filesystem::path& p) -> std::optional<std::string> {
        std::ifstream in(p);
        if (!in) {
            return std::nullopt;
        }
        std::string token;
        std::getline(in, token);
        while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) {
            token.pop_back();
        }
        return token;
    };
    std::optional<std::string> token;
    std::string source;
    if (o.token_file) {
        token = from_file(*o.token_file);
        source = "token file " + o.token_file->string();
        if (!token) {
            return error{errc::invalid, "cannot read the " + source};
        }
    } else if (const char* env = getenv("HEROKU_API_KEY"); env != nullptr && *env != '\0') {
        token = env;
        source = "$HEROKU_API_KEY";
    } else if (const char* creds = getenv("CREDENTIALS_DIRECTORY")) {
        source = std::string(creds) + "/heroku-token";
        token = from_file(source);
    }
    if (!token || token->empty()) {
        return error{errc::invalid, "no Heroku API token: give --token-file, $HEROKU_API_KEY or "
                                    "a systemd credential named heroku-token" +
                                        (source.empty() ? "" : " (" + source + " is empty)")};
    }
    return heroku::secret_token(*token);
}

} // namespace pgshift::daemon
