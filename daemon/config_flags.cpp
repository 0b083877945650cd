// Reads pgshiftd's command line (CLI11) into raw setting values, --config, --check-config, --help.
#include "common/version.hpp"
#include "daemon/config_sources.hpp"

#include <CLI/CLI.hpp>
#include <deque>

namespace pgshift::daemon::config_detail {
namespace {

constexpr const char* footer =
    "Sources, later wins: the TOML file (--config or $PGSHIFT_CONFIG; keys as in\n"
    "[brackets]), the environment ($PGSHIFT_*, systemd's $STATE_DIRECTORY), these flags.\n"
    "Heroku token, the first one given of: --token-file, $HEROKU_API_KEY, heroku.token_file\n"
    "in the TOML file, $CREDENTIALS_DIRECTORY/heroku-token (systemd LoadCredential=).\n"
    "Exit status: 0 ok, 1 bad configuration or a failure.";

std::string describe_flag(const setting_info& s) {
    std::string out(s.help);
    out += " [" + std::string(s.key);
    if (!s.env.empty()) {
        out += ", $" + std::string(s.env);
    }
    return out + "]";
}

// CLI11 would echo every unexpected argument; one of them may be a pasted token, so only
// a flag's name is shown.
std::string unexpected(const std::vector<std::string>& extras) {
    for (const std::string& arg : extras) {
        if (arg.starts_with("-") && arg.size() > 1) {
            return "command line (" + arg.substr(0, arg.find('=')) +
                   "): unknown flag; pgshiftd --help lists them";
        }
    }
    return "command line: unexpected argument (not shown; pgshiftd takes flags only)";
}

} // namespace

result<flag_values> read_flags(const std::vector<std::string>& args) {
    CLI::App app{"pgshiftd: runs Heroku Postgres upgrades as a persistent state machine, "
                 "driven by its control API.",
                 "pgshiftd"};
    app.set_help_flag("-h,--help", "Print this help and exit");
#ifdef PGSHIFT_CRASH_POINTS
    const std::string version =
        version_line("pgshiftd") + ", a test build: crash points compiled in";
#else
    const std::string version = version_line("pgshiftd");
#endif
    app.set_version_flag("--version", version, "Print the version and exit");
    app.footer(footer);
    app.allow_extras();
    flag_values out;
    std::string config_file;
    auto* config_opt =
        app.add_option("--config", config_file, "TOML configuration file [$PGSHIFT_CONFIG]")
            ->option_text("FILE");
    app.add_flag("--check-config", out.check_only,
                 "Check the configuration, print one line, exit 0 (or 1 and the problem)");
    // Stable addresses for CLI11 to write into.
    std::deque<std::string> texts;
    std::deque<bool> flags;
    std::vector<std::pair<const setting_info*, CLI::Option*>> options;
    for (const setting_info& s : settings()) {
        if (s.flag.empty()) {
            continue;
        }
        CLI::Option* opt = nullptr;
        if (s.type == kind::boolean) {
            opt = app.add_flag(std::string(s.flag), flags.emplace_back(false), describe_flag(s));
        } else {
            opt = app.add_option(std::string(s.flag), texts.emplace_back(), describe_flag(s))
                      ->option_text(std::string(s.metavar))
                      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        }
        options.emplace_back(&s, opt);
    }
    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 wants it so
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        out.help = app.help();
        return out;
    } catch (const CLI::CallForVersion& e) {
        out.help = std::string(e.what()) + "\n"; // printed as --help's text is, exit 0
        return out;
    } catch (const CLI::ParseError& e) {
        return error{errc::invalid, std::string("command line: ") + e.what() +
                                        "; pgshiftd --help lists the flags"};
    }
    if (auto extras = app.remaining(); !extras.empty()) {
        return error{errc::invalid, unexpected(extras)};
    }
    if (config_opt->count() > 0) {
        out.config_file = config_file;
    }
    std::size_t text_index = 0;
    std::size_t flag_index = 0;
    for (auto [s, opt] : options) {
        const bool boolean = s->type == kind::boolean;
        const std::size_t index = boolean ? flag_index++ : text_index++;
        if (opt->count() == 0) {
            continue;
        }
        raw value = boolean ? raw(flags[index]) : raw(texts[index]);
        out.values.push_back({std::string(s->key), std::move(value), std::string(s->flag)});
    }
    return out;
}

} // namespace pgshift::daemon::config_detail
