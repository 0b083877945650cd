// pgshiftd's configuration: TOML file, then environment, then flags; validated before use.
#include "daemon/config.hpp"

#include "daemon/config_sources.hpp"

namespace pgshift::daemon {

std::string config::origin(std::string_view setting) const {
    auto it = origins.find(setting);
    return it == origins.end() ? "default" : it->second;
}

namespace {

using namespace config_detail;

status apply(config& cfg, const raw_value& v) {
    const setting_info* s = find_setting(v.setting);
    if (s == nullptr) { // the sources only yield known keys
        return error{errc::invalid, problem(v.setting, v.origin, "unknown setting")};
    }
    if (std::string what = s->apply(cfg, v.value, v.origin); !what.empty()) {
        return error{errc::invalid, problem(s->key, v.origin, what)};
    }
    cfg.origins.insert_or_assign(std::string(s->key), v.origin);
    return ok_v;
}

// The environment, in table order; an empty variable counts as unset (systemd's
// Environment=X= and shell exports of "" mean "no value").
std::vector<raw_value> read_environment(const env_lookup& getenv) {
    std::vector<raw_value> out;
    auto get = [&getenv](const char* name) -> std::optional<std::string> {
        const char* v = getenv(name);
        return v != nullptr && *v != '\0' ? std::optional<std::string>(v) : std::nullopt;
    };
    // systemd's StateDirectory=: an absolute path, a colon-separated list when several.
    if (auto dir = get("STATE_DIRECTORY")) {
        out.push_back({"state_dir", dir->substr(0, dir->find(':')), "$STATE_DIRECTORY"});
    }
    for (const setting_info& s : settings()) {
        if (!s.env.empty()) {
            if (auto v = get(std::string(s.env).c_str())) {
                out.push_back({std::string(s.key), *v, "$" + std::string(s.env)});
            }
        }
    }
    return out;
}

// The rules between settings, once every source was applied.
status finish(config& cfg, const env_lookup& getenv) {
    if (cfg.state_dir.empty()) {
        return error{errc::invalid,
                     problem("state_dir", "not set",
                             "give --state-dir, $PGSHIFT_STATE_DIR, state_dir in the config "
                             "file, or run under systemd with StateDirectory=")};
    }
    if (!cfg.listen.loopback() && !cfg.api_token_file) {
        return error{errc::invalid,
                     problem("api.listen", cfg.origin("api.listen"),
                             cfg.listen.to_string() +
                                 " is not loopback, so the control API needs a token: set "
                                 "api.token_file")};
    }
    if (cfg.heroku_token.origin.empty()) {
        const char* creds = getenv("CREDENTIALS_DIRECTORY");
        if (creds == nullptr || *creds == '\0') {
            return error{errc::invalid,
                         problem("heroku.token_file", "not set",
                                 "no Heroku API token: set $HEROKU_API_KEY, heroku.token_file "
                                 "or --token-file, or a systemd credential heroku-token")};
        }
        cfg.heroku_token.file = std::filesystem::path(creds) / "heroku-token";
        cfg.heroku_token.origin = "$CREDENTIALS_DIRECTORY/heroku-token";
    }
    // The adaptive poll never goes faster than poll_min; a faster base interval lowers it.
    cfg.engine.poll_min = std::min(engine_options{}.poll_min, cfg.engine.poll_interval);
    return ok_v;
}

} // namespace

result<config> load_config(const std::vector<std::string>& args, const env_lookup& getenv) {
    auto flags = read_flags(args);
    if (!flags) {
        return flags.err();
    }
    config cfg;
    if (flags->help) {
        cfg.help = flags->help;
        return cfg;
    }
    cfg.check_only = flags->check_only;
    if (flags->config_file) {
        cfg.file = *flags->config_file;
    } else if (const char* env = getenv("PGSHIFT_CONFIG"); env != nullptr && *env != '\0') {
        cfg.file = env;
    }
    std::vector<raw_value> values;
    if (cfg.file) {
        auto from_file = read_toml_file(*cfg.file);
        if (!from_file) {
            return from_file.err();
        }
        values = std::move(*from_file);
    }
    for (raw_value& v : read_environment(getenv)) {
        values.push_back(std::move(v));
    }
    // $HEROKU_API_KEY is the environment's form of heroku.token_file: over the file, under
    // --token-file. Its value is kept as a secret and never echoed.
    if (const char* key = getenv("HEROKU_API_KEY"); key != nullptr && *key != '\0') {
        values.push_back({"", std::string(), "$HEROKU_API_KEY"});
    }
    for (raw_value& v : flags->values) {
        values.push_back(std::move(v));
    }
    for (const raw_value& v : values) {
        if (v.origin == "$HEROKU_API_KEY") {
            cfg.heroku_token = secret_source{
                std::nullopt, heroku::secret_token(getenv("HEROKU_API_KEY")), "$HEROKU_API_KEY"};
            cfg.origins.insert_or_assign("heroku.token_file", v.origin);
            continue;
        }
        if (auto applied = apply(cfg, v); !applied) {
            return applied.err();
        }
    }
    if (auto finished = finish(cfg, getenv); !finished) {
        return finished.err();
    }
    return cfg;
}

} // namespace pgshift::daemon
