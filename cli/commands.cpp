// The one-shot commands: start, list, status, events, pause, resume, cancel, retry.
#include "cli/commands.hpp"

#include "api/control_validation.hpp"
#include "cli/errors.hpp"
#include "cli/render.hpp"
#include "cli/terminal_text.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace pgshift::cli {
namespace {

using nlohmann::json;

clock_time now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

// The API's JSON as served (terminal-safe: the same JSON), as one document on its own line.
void print_json(command_context& ctx, const http_reply& reply) {
    ctx.out << terminal_json(reply.body);
    if (!reply.body.ends_with('\n')) {
        ctx.out << '\n';
    }
    ctx.out.flush();
}

std::string list_target(const std::optional<std::string>& state,
                        const std::optional<std::string>& app) {
    std::string query;
    if (state) {
        query += "&state=" + encode_component(*state);
    }
    if (app) {
        query += "&app=" + encode_component(*app);
    }
    return query.empty() ? "/v1/upgrades" : "/v1/upgrades?" + query.substr(1);
}

} // namespace

std::string start_body(const start_args& args) {
    json body = {{"app", args.app}, {"plan", args.plan}};
    if (args.version) {
        body["version"] = *args.version;
    }
    if (args.downtime_at) {
        body["downtime_at"] = *args.downtime_at;
    }
    if (args.no_verify) {
        body["verify"] = false;
    }
    if (args.remove_source_after) {
        body["remove_source_after"] = *args.remove_source_after;
    }
    if (args.max_downtime_concurrency) {
        body["max_downtime_concurrency"] = *args.max_downtime_concurrency;
    }
    return body.dump();
}

std::string resolve(command_context& ctx, const upgrade_ref& ref) {
    return ref.app ? ctx.client.resolve_app(ref.text) : ctx.client.resolve(ref.text);
}

int exit_for_state(const std::string& state) {
    return state == "failed" || state == "rolled_back" || state == "cancelled" ? exit_failed
                                                                               : exit_ok;
}

int run_start(command_context& ctx, const start_args& args) {
    // What pgshiftd would refuse is refused before the question, with its words and exit 1.
    auto body = start_body(args);
    if (auto checked = api::parse_start_body(body); !checked) {
        throw api_error(checked.err().status, checked.err().id, checked.err().message);
    }
    confirm_start(ctx, args); // before anything is sent
    http_call c{"POST", "/v1/upgrades", std::move(body), {}};
    if (args.idempotency_key) {
        c.headers.emplace_back("Idempotency-Key", *args.idempotency_key);
    }
    const auto reply = ctx.client.call(std::move(c));
    const auto u = upgrade_of(reply);
    if (args.watch) {
        if (!ctx.json) {
            ctx.out << render_started(u, reply.status == 201) << std::flush;
        }
        return watch_upgrade(ctx, u.id);
    }
    if (ctx.json) {
        print_json(ctx, reply);
    } else {
        ctx.out << render_started(u, reply.status == 201);
    }
    return exit_ok;
}

int run_list(command_context& ctx, const std::optional<std::string>& state,
             const std::optional<std::string>& app) {
    const auto reply = ctx.client.get(list_target(state, app));
    if (ctx.json) {
        print_json(ctx, reply);
        return exit_ok;
    }
    const auto page = parse_body(reply);
    const auto list = page.is_object() ? page.find("upgrades") : page.end();
    if (list == page.end() || !list->is_array()) {
        throw api_error(reply.status, "bad_response", "pgshiftd answered without an upgrade list");
    }
    std::vector<upgrade_view> upgrades;
    for (const auto& item : *list) {
        if (auto u = decode_upgrade(item)) {
            upgrades.push_back(std::move(*u));
        }
    }
    ctx.out << render_list(upgrades, now());
    if (const auto next = page.find("next"); next != page.end() && next->is_string()) {
        ctx.out << "(newest " << upgrades.size() << " shown; narrow with --state or --app)\n";
    }
    return exit_ok;
}

int run_status(command_context& ctx, const upgrade_ref& ref) {
    const auto id = resolve(ctx, ref);
    const auto reply = ctx.client.get(upgrade_path(id));
    const auto u = upgrade_of(reply);
    if (ctx.json) {
        print_json(ctx, reply);
    } else {
        ctx.out << render_status(u, now());
        if (u.state == "succeeded" || (u.state == "rolled_back" && u.keep_target_on_rollback)) {
            // What is still billed: the history says what became of the old add-on.
            std::vector<event_view> history;
            try {
                history = fetch_history(ctx, u.id);
            } catch (const api_error&) {
                // Said without the attachment's name rather than not at all.
            }
            const auto left = describe_leftovers(u, history);
            ctx.out << (left.empty() ? "" : left + "\n");
        }
    }
    return exit_for_state(u.state);
}

int run_control(command_context& ctx, const std::string& command, const upgrade_ref& ref) {
    const auto id = resolve(ctx, ref);
    const auto reply = ctx.client.call({"POST", upgrade_path(id, "/" + command), {}, {}});
    const auto u = upgrade_of(reply);
    if (ctx.json) {
        print_json(ctx, reply);
    } else {
        ctx.out << render_command(command, u, now());
    }
    return exit_ok;
}

} // namespace pgshift::cli
