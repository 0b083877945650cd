// The pgshift command line: parse flags (CLI11), run one command, map failures to exit codes.
#include "cli/app.hpp"

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "cli/terminal_text.hpp"
#include "common/version.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pgshift::cli {
namespace {

// What the command line asked for, filled by CLI11.
struct parsed_args {
    std::string api;
    std::string token_file;
    bool json = false;
    start_args start;
    std::optional<std::string> state_filter;
    std::optional<std::string> app_filter;
    std::string id;
    bool follow = false;
};

const char* const footer =
    "ID is an upgrade id or an app name (that app's newest upgrade).\n"
    "Environment: PGSHIFT_API (default for --api), PGSHIFT_API_TOKEN_FILE (for --token-file).\n"
    "Exit codes: 0 success (watch, status: succeeded or still running), 1 the upgrade failed,\n"
    "rolled back or was cancelled, or the API refused; 2 usage error; 3 pgshiftd unreachable.";

std::string env_or(const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

CLI::App* add_id_command(CLI::App& app, const char* name, const char* what, parsed_args& a) {
    auto* sub = app.add_subcommand(name, what);
    sub->add_option("ID", a.id, "upgrade id or app name")->required();
    return sub;
}

void add_commands(CLI::App& app, parsed_args& a) {
    auto* start = app.add_subcommand("start", "start an upgrade of an app's database");
    start->add_option("--app", a.start.app, "Heroku app name")->required();
    start->add_option("--plan", a.start.plan, "target plan, heroku-postgresql:<plan>")->required();
    start->add_option("--version", a.start.version, "Postgres major version to pin");
    start->add_option("--downtime-at", a.start.downtime_at,
                      "RFC 3339 time: provision now, take the downtime then");
    start->add_flag("--no-verify", a.start.no_verify, "skip comparing tables and row counts");
    start
        ->add_option("--remove-source-after", a.start.remove_source_after,
                     "destroy the old add-on this many seconds after success")
        ->check(CLI::NonNegativeNumber);
    // Checked by the API (1..1000), which says so in one place.
    start->add_option("--max-downtime-concurrency", a.start.max_downtime_concurrency,
                      "enter maintenance only while fewer apps than this are in it");
    start
        ->add_option("--idempotency-key", a.start.idempotency_key,
                     "same key and body: the same upgrade")
        ->check(
            [](const std::string& key) -> std::string {
                // It becomes a header: printable ASCII only, as the API requires.
                const bool ok = !key.empty() && key.size() <= 255 &&
                                std::all_of(key.begin(), key.end(),
                                            [](char c) { return c >= 0x20 && c <= 0x7e; });
                return ok ? "" : "1 to 255 printable ASCII characters";
            },
            "KEY");
    start->add_flag("--watch", a.start.watch, "then follow it as `watch` does");
    auto* list = app.add_subcommand("list", "list upgrades, newest first");
    list->add_option("--state", a.state_filter, "only upgrades in this state");
    list->add_option("--app", a.app_filter, "only this app's upgrades");
    add_id_command(app, "status", "show one upgrade", a);
    add_id_command(app, "watch", "follow an upgrade to its end", a);
    add_id_command(app, "events", "print an upgrade's history", a)
        ->add_flag("--follow,-f", a.follow, "keep printing until the upgrade ends");
    add_id_command(app, "pause", "pause at the next step boundary", a);
    add_id_command(app, "resume", "resume a paused upgrade", a);
    add_id_command(app, "cancel", "cancel; rolls back what was done", a);
    add_id_command(app, "retry", "retry the failed step", a);
}

// The token file's text: a regular file of at most 64 KiB. A FIFO is opened non-blocking
// and refused (it would hang the command), /dev/zero is never read.
std::string read_token_file(const std::string& path) {
    // A bare name may be a token pasted where its file belongs: never echo it.
    const std::string shown = path.find('/') != std::string::npos
                                  ? "the token file " + path
                                  : "the token file given (a bare name is not shown)";
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        throw usage_error("cannot read " + shown);
    }
    struct stat st {};
    constexpr off_t limit = 64 * 1024;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > limit) {
        ::close(fd);
        throw usage_error(shown + " is not a regular file of at most 64 KiB");
    }
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    const auto n = ::read(fd, text.data(), text.size());
    ::close(fd);
    if (n < 0) {
        throw usage_error("cannot read " + shown);
    }
    text.resize(static_cast<std::size_t>(n));
    return text;
}

std::optional<std::string> read_token(const std::string& path) {
    if (path.empty()) {
        return std::nullopt;
    }
    // The first line, as pgshiftd reads its token file.
    const std::string text = read_token_file(path);
    std::string token = text.substr(0, text.find('\n'));
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())) != 0) {
        token.pop_back();
    }
    if (token.empty()) {
        throw usage_error("the token file " + path + " holds no token on its first line");
    }
    for (unsigned char c : token) {
        if (c < 0x21 || c > 0x7e) {
            throw usage_error("the token in " + path + " holds spaces or control characters");
        }
    }
    return token;
}

int terminal_width() {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        return ws.ws_col;
    }
    return 80;
}

// Hidden: tests poll faster than the operator's once a second.
std::chrono::milliseconds poll_interval() {
    const auto text = env_or("PGSHIFT_POLL_INTERVAL_MS", "1000");
    int ms = 1000;
    std::from_chars(text.data(), text.data() + text.size(), ms);
    return std::chrono::milliseconds(std::max(ms, 10));
}

int dispatch(const CLI::App& app, command_context& ctx, parsed_args& a) {
    const auto* sub = app.get_subcommands().front();
    const std::string name = sub->get_name();
    if (name == "start") {
        return run_start(ctx, a.start);
    }
    if (name == "list") {
        return run_list(ctx, a.state_filter, a.app_filter);
    }
    if (name == "status") {
        return run_status(ctx, a.id);
    }
    if (name == "watch") {
        return run_watch(ctx, a.id);
    }
    if (name == "events") {
        return run_events(ctx, a.id, a.follow);
    }
    return run_control(ctx, name, a.id);
}

int run_command(const CLI::App& app, parsed_args& a) {
    std::string error;
    const auto endpoint = parse_endpoint(
        a.api.empty() ? env_or("PGSHIFT_API", std::string(default_api)) : a.api, error);
    if (!endpoint) {
        throw usage_error(error);
    }
    client_options options;
    options.endpoint = *endpoint;
    options.token =
        read_token(a.token_file.empty() ? env_or("PGSHIFT_API_TOKEN_FILE", "") : a.token_file);
    api_client client(std::move(options));
    command_context ctx(client, std::cout, std::cerr);
    ctx.json = a.json;
    ctx.tty = ::isatty(STDOUT_FILENO) == 1;
    ctx.width = ctx.tty ? terminal_width() : 80;
    ctx.poll_interval = poll_interval();
    return dispatch(app, ctx, a);
}

} // namespace

int run_cli(int argc, char** argv) {
    CLI::App app("pgshift: start, follow and steer Heroku Postgres upgrades run by pgshiftd",
                 "pgshift");
    app.footer(footer);
    app.set_version_flag("--version", version_line("pgshift"), "print the version and exit");
    app.require_subcommand(1);
    app.fallthrough(); // global flags may follow the command: pgshift status ID --json
    parsed_args a;
    app.add_option("--api", a.api,
                   "http://HOST:PORT or unix:PATH (default $PGSHIFT_API or " +
                       std::string(default_api) + ")");
    app.add_option("--token-file", a.token_file,
                   "file holding the API token (default $PGSHIFT_API_TOKEN_FILE)");
    app.add_flag("--json", a.json, "print the API's JSON as is");
    add_commands(app, a);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            return app.exit(e); // --help, --version
        }
        std::string message = e.what();
        if (app.get_subcommands().empty() && !app.remaining().empty()) {
            message = "unknown command " + app.remaining().front();
        }
        std::cerr << "pgshift: " << message << "\n(pgshift --help shows the usage)\n";
        return exit_usage;
    }
    try {
        return run_command(app, a);
    } catch (const usage_error& e) {
        std::cerr << "pgshift: " << terminal_text(e.what()) << "\n";
        return exit_usage;
    } catch (const unreachable_error& e) {
        std::cerr << "pgshift: " << terminal_text(e.what()) << "\n"
                  << "pgshift: is pgshiftd running? Start it (pgshiftd, or systemctl start "
                     "pgshiftd) or point --api / $PGSHIFT_API at it.\n";
        return exit_unreachable;
    } catch (const api_error& e) {
        std::cerr << "pgshift: " << terminal_text(e.what()) << "\n";
        return exit_failed;
    } catch (const std::exception& e) {
        std::cerr << "pgshift: " << terminal_text(e.what()) << "\n";
        return exit_failed;
    }
}

} // namespace pgshift::cli
