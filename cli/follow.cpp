// The commands that poll until an upgrade ends: watch and events (with --follow).
#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "cli/render.hpp"
#include "cli/terminal_text.hpp"

#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

namespace pgshift::cli {
namespace {

using ordered_json = nlohmann::ordered_json;
using steady = std::chrono::steady_clock;

// Non-TTY watch prints a changed progress line at most this often.
constexpr std::chrono::seconds plain_progress_every{5};

clock_time now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

// The history entries after `after`, each as served (key order kept for --json).
std::vector<ordered_json> fetch_events(command_context& ctx, const std::string& id,
                                       std::int64_t after) {
    const auto reply = ctx.client.get(upgrade_path(id, "/events?after=" + std::to_string(after)));
    auto body = ordered_json::parse(reply.body, nullptr, false);
    const auto list = body.is_object() ? body.find("events") : body.end();
    if (body.is_discarded() || list == body.end() || !list->is_array()) {
        throw api_error(reply.status, "bad_response", "pgshiftd answered without an event list");
    }
    return std::move(*list).get<std::vector<ordered_json>>();
}

std::optional<event_view> decode(const ordered_json& e) {
    return decode_event(nlohmann::json::parse(e.dump()));
}

// Follows one upgrade to its end, printing events and progress as `watch` does.
class watcher {
public:
    watcher(command_context& ctx, std::string id)
        : ctx_(ctx)
        , id_(std::move(id)) {}

    int run() {
        std::optional<steady::time_point> lost_since;
        for (;;) {
            try {
                if (poll()) {
                    return finish();
                }
                lost_since.reset();
            } catch (const unreachable_error& e) {
                // pgshiftd resumes every upgrade after a restart: ride out a short absence.
                if (!polled_once_ ||
                    (lost_since && steady::now() - *lost_since > ctx_.reconnect_grace)) {
                    clear_bar();
                    throw;
                }
                if (!lost_since) {
                    lost_since = steady::now();
                    print_line("lost pgshiftd (" + terminal_text(e.what()) + "); retrying");
                }
            }
            std::this_thread::sleep_for(ctx_.poll_interval);
        }
    }

private:
    // One round: the upgrade, then the events up to it. True once the upgrade is terminal.
    bool poll() {
        reply_ = ctx_.client.get(upgrade_path(id_));
        auto u = upgrade_of(reply_);
        const auto events = fetch_events(ctx_, id_, last_seq_);
        polled_once_ = true;
        for (const auto& raw : events) {
            const auto e = decode(raw);
            if (!e) {
                continue;
            }
            last_seq_ = std::max(last_seq_, e->seq);
            if (ctx_.json) {
                // One event per line (JSON Lines), as served, as it happens.
                ctx_.out << terminal_json(raw.dump()) << '\n' << std::flush;
            } else if (!(ctx_.tty && e->type == "progress")) {
                // On a terminal the bar shows progress; elsewhere every event gets its line.
                print_line(render_event(*e));
            }
            history_.push_back(*e);
        }
        upgrade_ = std::move(u);
        show_progress();
        return is_terminal_state(upgrade_->state);
    }

    int finish() {
        clear_bar();
        if (ctx_.json) {
            ctx_.out << terminal_json(reply_.body) << (reply_.body.ends_with('\n') ? "" : "\n");
        } else {
            ctx_.out << render_outcome(*upgrade_);
            // What is still billed, from what the history says became of the old add-on.
            if (const auto left = describe_leftovers(*upgrade_, history_); !left.empty()) {
                ctx_.out << left << '\n';
            }
        }
        ctx_.out.flush();
        return exit_for_state(upgrade_->state) == exit_ok ? exit_ok : exit_failed;
    }

    void show_progress() {
        if (ctx_.json || is_terminal_state(upgrade_->state)) {
            return;
        }
        if (ctx_.tty) {
            ctx_.out << "\r\x1b[2K" << render_progress_line(*upgrade_, now(), ctx_.width)
                     << std::flush;
            bar_drawn_ = true;
            return;
        }
        // Waiting, downtime so far and progress (an estimate between Heroku's reports).
        const auto progress = describe_live(*upgrade_, now());
        if (progress.empty() || progress == last_plain_progress_ ||
            (last_plain_at_ && steady::now() - *last_plain_at_ < plain_progress_every)) {
            return;
        }
        last_plain_progress_ = progress;
        last_plain_at_ = steady::now();
        print_line(render_progress_plain(*upgrade_, now()));
    }

    // A line above the bar (the bar is redrawn by the next show_progress()).
    void print_line(const std::string& line) {
        if (ctx_.json) {
            return;
        }
        clear_bar();
        ctx_.out << line << '\n' << std::flush;
    }

    void clear_bar() {
        if (bar_drawn_) {
            ctx_.out << "\r\x1b[2K" << std::flush;
            bar_drawn_ = false;
        }
    }

    command_context& ctx_;
    std::string id_;
    std::int64_t last_seq_ = 0;
    bool polled_once_ = false;
    bool bar_drawn_ = false;
    http_reply reply_;
    std::optional<upgrade_view> upgrade_;
    std::vector<event_view> history_; // every event seen (seq 1 on)
    std::string last_plain_progress_;
    std::optional<steady::time_point> last_plain_at_;
};

void print_events(command_context& ctx, const std::vector<ordered_json>& events,
                  std::int64_t& last_seq) {
    for (const auto& raw : events) {
        const auto e = decode(raw);
        if (!e) {
            continue;
        }
        last_seq = std::max(last_seq, e->seq);
        // --follow --json: one event per line (JSON Lines), as served.
        ctx.out << (ctx.json ? terminal_json(raw.dump()) : render_event(*e)) << '\n';
    }
    ctx.out.flush();
}

} // namespace

std::vector<event_view> fetch_history(command_context& ctx, const std::string& id) {
    std::vector<event_view> out;
    for (const auto& raw : fetch_events(ctx, id, 0)) {
        if (auto e = decode(raw)) {
            out.push_back(std::move(*e));
        }
    }
    return out;
}

int run_events(command_context& ctx, const upgrade_ref& ref, bool follow) {
    const auto id = resolve(ctx, ref);
    std::int64_t last_seq = 0;
    if (!follow) {
        const auto reply = ctx.client.get(upgrade_path(id, "/events?after=0"));
        if (ctx.json) {
            ctx.out << terminal_json(reply.body) << (reply.body.ends_with('\n') ? "" : "\n");
            return exit_ok;
        }
        auto body = ordered_json::parse(reply.body, nullptr, false);
        if (!body.is_object() || !body.contains("events") || !body["events"].is_array()) {
            throw api_error(reply.status, "bad_response",
                            "pgshiftd answered without an event list");
        }
        print_events(ctx, body["events"].get<std::vector<ordered_json>>(), last_seq);
        return exit_ok;
    }
    for (;;) {
        // The upgrade first: once it is terminal, the events fetched after it are all there are.
        const bool terminal = is_terminal_state(upgrade_of(ctx.client.get(upgrade_path(id))).state);
        print_events(ctx, fetch_events(ctx, id, last_seq), last_seq);
        if (terminal) {
            return exit_ok;
        }
        std::this_thread::sleep_for(ctx.poll_interval);
    }
}

int run_watch(command_context& ctx, const upgrade_ref& ref) {
    return watch_upgrade(ctx, resolve(ctx, ref));
}

int watch_upgrade(command_context& ctx, const std::string& id) {
    return watcher(ctx, id).run();
}

} // namespace pgshift::cli
