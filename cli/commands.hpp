// The CLI's commands: each sends its requests, prints human text or the API's JSON, and
// returns the exit code (cli/errors.hpp). API and network failures propagate as exceptions.
#pragma once

#include "cli/api_client.hpp"

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::cli {

struct command_context {
    command_context(api_client& c, std::ostream& o, std::ostream& e)
        : client(c)
        , out(o)
        , err(e) {}

    api_client& client;
    std::ostream& out; // results: text or one JSON document
    std::ostream& err; // "pgshift: ..." lines
    bool json = false;
    bool tty = false;                              // out is a terminal: watch redraws in place
    int width = 80;                                // terminal columns
    std::chrono::milliseconds poll_interval{1000}; // watch and events --follow
    std::chrono::seconds reconnect_grace{30};      // watch rides out a daemon restart this long
    std::istream* in = nullptr;                    // where start reads the typed confirmation
    bool in_tty = false;                           // in is a terminal: start may ask
};

// The upgrade a command names: an ID (or an app name in its place), or -a APP.
struct upgrade_ref {
    std::string text;
    bool app = false; // given with -a/--app: always an app name
};

// The upgrade id ref names (asks the API for an app's newest upgrade).
std::string resolve(command_context& ctx, const upgrade_ref& ref);

struct start_args {
    std::string app;
    std::string plan;
    std::optional<std::string> version;
    std::optional<std::string> downtime_at;
    bool no_verify = false;
    std::optional<std::int64_t> remove_source_after;
    std::optional<std::int64_t> max_downtime_concurrency; // the API checks 1..1000
    std::optional<std::string> idempotency_key;
    std::optional<std::string> confirm; // --confirm APP: no question asked
    bool watch = false;
};

// The POST /v1/upgrades body: only the fields the operator set (verify only when false).
std::string start_body(const start_args& args);

// 0 while running or succeeded; 1 for failed, rolled_back and cancelled.
int exit_for_state(const std::string& state);

int run_start(command_context& ctx, const start_args& args);
int run_list(command_context& ctx, const std::optional<std::string>& state,
             const std::optional<std::string>& app);
int run_status(command_context& ctx, const upgrade_ref& ref);
// command is one of pause, resume, cancel, retry.
int run_control(command_context& ctx, const std::string& command, const upgrade_ref& ref);
int run_events(command_context& ctx, const upgrade_ref& ref, bool follow);
// Follows the upgrade until it is terminal: 0 when it succeeded, else 1.
int run_watch(command_context& ctx, const upgrade_ref& ref);
// As run_watch, for an id (never resolved as an app name).
int watch_upgrade(command_context& ctx, const std::string& id);

// Before a start: on a terminal, the operator types the app's name; --confirm APP instead.
// Throws usage_error (--confirm names another app; no terminal and no --confirm) or
// aborted_error (a wrong answer); nothing is sent then.
void confirm_start(command_context& ctx, const start_args& args);

// The history of an upgrade, decoded (for the final line about the old add-on).
std::vector<event_view> fetch_history(command_context& ctx, const std::string& id);

} // namespace pgshift::cli
