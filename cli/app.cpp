// The pgshift command line: parse flags (CLI11), run one command, map failures to exit codes.
#include "cli/app.hpp"

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "cli/terminal_text.hpp"
#include "cli/token_file.hpp"
#include "common/version.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>
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
    std::string id;  // the positional ID
    std::string app; // -a/--app of the commands that name one upgrade
    bool follow = false;
};

const char* const footer =
    "ID is an upgrade id or an app name (that app's newest upgrade); -a/--app APP names the\n"
    "app as the Heroku CLI does: pgshift status -a sushi.\n"
    "--api, --token-file and --json go before or after the command (pgshift --help).\n"
    "Without --api or $PGSHIFT_API: unix:/run/pgshift/api.sock when that socket exists (the\n"
    "packaged pgshiftd listens there), else http://127.0.0.1:7432.\n"
    "Environment: PGSHIFT_API (default for --api), PGSHIFT_API_TOKEN_FILE (for --token-file).\n"
    "Exit codes: 0 success (watch, status: succeeded or still running), 1 the upgrade failed,\n"
    "rolled back or was cancelled, the API refused, or a start was not confirmed; 2 usage\n"
    "error; 3 pgshiftd unreachable.";

const char* const start_footer =
    "start takes the app down: maintenance on and its non-web dynos scaled to 0 while the\n"
    "database is copied (now, or at --downtime-at). On a terminal it asks you to type the app\n"
    "name; elsewhere (scripts, cron) --confirm APP is required.\n"
    "Examples:\n"
    "  pgshift start -a sushi --plan heroku-postgresql:standard-0\n"
    "  pgshift start -a sushi --plan heroku-postgresql:standard-0 --version 16 --watch\n"
    "  pgshift start -a sushi --plan heroku-postgresql:standard-0 \\\n"
    "      --downtime-at 2026-11-27T02:00:00Z --remove-source-after 86400 --confirm sushi";

std::string env_or(const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// Where the packaged pgshiftd listens; the hidden PGSHIFT_DEFAULT_SOCKET moves it for tests.
std::string default_socket() {
    return env_or("PGSHIFT_DEFAULT_SOCKET", std::string(packaged_socket));
}

// --api when given, else $PGSHIFT_API, else the packaged socket when it exists, else loopback.
std::string api_text(const parsed_args& a) {
    if (!a.api.empty()) {
        return a.api;
    }
    if (const auto from_env = env_or("PGSHIFT_API", ""); !from_env.empty()) {
        return from_env;
    }
    struct stat st {};
    const auto socket = default_socket();
    if (::stat(socket.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
        return "unix:" + socket;
    }
    return std::string(default_api);
}

CLI::App* add_id_command(CLI::App& app, const char* name, const char* what, parsed_args& a) {
    auto* sub = app.add_subcommand(name, what);
    sub->add_option("ID", a.id, "upgrade id, or an app name for that app's newest upgrade");
    sub->add_option("-a,--app", a.app, "the app whose newest upgrade this is (instead of ID)");
    return sub;
}

void add_start(CLI::App& app, parsed_args& a) {
    auto* start = app.add_subcommand("start", "start an upgrade of an app's database");
    start->footer(start_footer);
    start->add_option("-a,--app", a.start.app, "Heroku app name")->required();
    start
        ->add_option("--plan", a.start.plan,
                     "target plan, heroku-postgresql:<plan>, e.g. heroku-postgresql:standard-0")
        ->required();
    start->add_option("--version", a.start.version,
                      "Postgres major version of the new database (default: the old one's major "
                      "version)");
    start->add_option("--downtime-at", a.start.downtime_at,
                      "RFC 3339 time: provision now, take the downtime then (default: at once)");
    start->add_flag("--no-verify", a.start.no_verify,
                    "skip comparing tables and row counts before the switch (default: verify)");
    start
        ->add_option("--remove-source-after", a.start.remove_source_after,
                     "destroy the old add-on this many seconds after success (default: keep "
                     "it; it stays billed until you remove it)")
        ->check(CLI::NonNegativeNumber);
    // Checked by the API (1..1000), which says so in one place.
    start->add_option("--max-downtime-concurrency", a.start.max_downtime_concurrency,
                      "enter maintenance only while fewer apps than this are in it, 1..1000 "
                      "(default: pgshiftd's schedule.max_downtime_concurrency)");
    start
        ->add_option("--idempotency-key", a.start.idempotency_key,
                     "same key and body again: the same upgrade, nothing new started "
                     "(default: none)")
        ->check(
            [](const std::string& key) -> std::string {
                // It becomes a header: printable ASCII only, as the API requires.
                const bool ok = !key.empty() && key.size() <= 255 &&
                                std::all_of(key.begin(), key.end(),
                                            [](char c) { return c >= 0x20 && c <= 0x7e; });
                return ok ? "" : "1 to 255 printable ASCII characters";
            },
            "KEY");
    start->add_option("--confirm", a.start.confirm,
                      "the app's name again: start without asking (required off a terminal)");
    start->add_flag("--watch", a.start.watch, "then follow it as `watch` does (default: return)");
}

void add_commands(CLI::App& app, parsed_args& a) {
    add_start(app, a);
    auto* list = app.add_subcommand("list", "list upgrades, newest first (at most 50)");
    list->add_option("--state", a.state_filter,
                     "only upgrades in this state, e.g. restoring or rolled_back (default: all)");
    list->add_option("-a,--app", a.app_filter, "only this app's upgrades (default: all apps)");
    add_id_command(app, "status", "show one upgrade: state, downtime, progress, timings", a);
    add_id_command(app, "watch",
                   "follow an upgrade to its end: a live bar on a terminal, timestamped lines "
                   "otherwise, one JSON object per event with --json",
                   a);
    add_id_command(app, "events", "print an upgrade's history", a)
        ->add_flag("--follow,-f", a.follow,
                   "keep printing until the upgrade ends (default: print what is there)");
    add_id_command(app, "pause",
                   "pause at the next step boundary (an app in maintenance stays in it)", a);
    add_id_command(app, "resume", "resume a paused upgrade", a);
    add_id_command(app, "cancel", "cancel; rolls back what was done (before the promotion only)",
                   a);
    add_id_command(app, "retry", "retry the step that needs attention", a);
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

// The one upgrade an ID command names: its ID, or -a APP, not both.
upgrade_ref named_upgrade(const parsed_args& a, const std::string& command) {
    if (!a.id.empty() && !a.app.empty()) {
        throw usage_error(command + ": give an upgrade ID or -a APP, not both");
    }
    if (a.id.empty() && a.app.empty()) {
        throw usage_error(command + ": which upgrade? give its ID or -a APP (pgshift " + command +
                          " -a sushi)");
    }
    return a.app.empty() ? upgrade_ref{a.id, false} : upgrade_ref{a.app, true};
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
    const auto ref = named_upgrade(a, name);
    if (name == "status") {
        return run_status(ctx, ref);
    }
    if (name == "watch") {
        return run_watch(ctx, ref);
    }
    if (name == "events") {
        return run_events(ctx, ref, a.follow);
    }
    return run_control(ctx, name, ref);
}

int run_command(const CLI::App& app, parsed_args& a) {
    std::string error;
    const auto endpoint = parse_endpoint(api_text(a), error);
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
    ctx.in = &std::cin;
    ctx.in_tty = ::isatty(STDIN_FILENO) == 1;
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
                   "pgshiftd's control API, http://HOST:PORT or unix:PATH (default $PGSHIFT_API, "
                   "else unix:" +
                       std::string(packaged_socket) + " when it exists, else " +
                       std::string(default_api) + ")");
    app.add_option("--token-file", a.token_file,
                   "file whose first line is the API token pgshiftd expects (its "
                   "--api-token-file; default $PGSHIFT_API_TOKEN_FILE, else no token)");
    app.add_flag("--json", a.json, "print the API's JSON as is (watch: one object per event)");
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
        std::cerr << "pgshift: " << terminal_text(e.what()) << "\n";
        if (e.denied()) {
            std::cerr << "pgshift: pgshiftd runs, but only members of its group may use this "
                         "socket: sudo usermod -aG pgshift \"$USER\", then log in again.\n";
        } else {
            std::cerr << "pgshift: is pgshiftd running? Start it (pgshiftd, or systemctl start "
                         "pgshiftd) or point --api / $PGSHIFT_API at it.\n";
        }
        return exit_unreachable;
    } catch (const api_error& e) {
        std::cerr << "pgshift: " << terminal_text(e.what()) << "\n";
        if (e.status() == 401) {
            std::cerr << "pgshift: pgshiftd wants its API token: give the file it reads "
                         "(--api-token-file) with --token-file FILE or "
                         "$PGSHIFT_API_TOKEN_FILE\n";
        }
        return exit_failed;
    } catch (const std::exception& e) {
        std::cerr << "pgshift: " << terminal_text(e.what()) << "\n";
        return exit_failed;
    }
}

} // namespace pgshift::cli
