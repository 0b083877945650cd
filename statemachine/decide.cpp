// decide(): the upgrade state machine as a pure function from (upgrade, input, now).
#include "statemachine/decide.hpp"

#include "statemachine/procedure.hpp"

#include <algorithm>
#include <array>

namespace pgshift {
namespace {

// Operator commands: where each is legal, and what an operator is told where it is not.
// Terminal upgrades refuse every command before this table is read.
struct command_row {
    command cmd;
    bool (*legal)(const upgrade&);
    const char* refusal;
};
constexpr std::array commands{
    command_row{command::pause,
                [](const upgrade& u) { return !u.paused && u.current != state::rolling_back; },
                "it is already paused, or rolling back (a rollback restores the app and is "
                "never paused)"},
    command_row{command::resume, [](const upgrade& u) { return u.paused; }, "it is not paused"},
    command_row{command::cancel, [](const upgrade& u) { return is_before_promote(u.current); },
                "from promoting on an upgrade only moves forward: the new database may already "
                "be DATABASE_URL"},
    command_row{command::retry, [](const upgrade& u) { return u.needs_attention || u.attempt > 0; },
                "no step is failing: there is nothing to retry"},
};

// Every error text reaches last_error and the history through decide(): libpq's messages and
// Heroku's transfer logs end in "\n", which became blank lines in events and JSON.
std::string without_trailing_blanks(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                             text.back() == '\t')) {
        text.pop_back();
    }
    return text;
}

decision enter(upgrade u, state next, time_point now, event_type entry, std::string detail) {
    u.current = next;
    u.attempt = 0;
    u.step_started_at = now;
    u.needs_attention = false;
    u.transfer = {};
    action act = action::run_step;
    if (is_terminal(next)) {
        u.finished_at = now;
        u.paused = false;
        act = action::finish;
    } else if (u.paused) {
        act = action::idle; // pause takes effect here, at the step boundary
    }
    return {std::move(u), act, {}, entry, std::move(detail)};
}

// The rollback's summary line, its steps in the order it took them (plan_rolling_back):
// "rollback: restore stopped, worker=3 restored, maintenance off, target pgshift-… destroyed".
// "stopped", not "cancelled": the cancel is best effort (Heroku refuses it for a restore that
// already ended, as a failed one has), and destroying the target ends a restore anyway.
std::string rollback_summary(const upgrade& u) {
    std::string out;
    const auto add = [&out](const std::string& part) {
        out += (out.empty() ? "rollback: " : ", ") + part;
    };
    if (!u.restore_uuid.empty()) {
        add("restore stopped");
    }
    for (compensation c : compensation_plan(u)) {
        switch (c) {
        case compensation::scale_up: {
            std::string q;
            for (const process_quantity& p : u.formation) {
                q += (q.empty() ? "" : " ") + p.type + "=" + std::to_string(p.quantity);
            }
            add(q + " restored");
            break;
        }
        case compensation::restore_maintenance:
            add(u.original_maintenance.value_or(false) ? "maintenance left on, as before"
                                                       : "maintenance off");
            break;
        case compensation::destroy_target:
            add("target " + u.target_addon_name + " destroyed");
            break;
        }
    }
    if (u.request.keep_target_on_rollback && !u.target_addon_name.empty()) {
        add("target " + u.target_addon_name + " kept (keep_target_on_rollback)");
    }
    return out.empty() ? "rollback: nothing to undo" : out;
}

decision on_done(upgrade u, time_point now) {
    state from = u.current;
    state next = successor(from, u.request);
    std::string detail =
        from == state::rolling_back ? rollback_summary(u) : std::string(to_string(from)) + " done";
    if (u.current != state::rolling_back) {
        u.last_error.clear();
    }
    return enter(std::move(u), next, now, event_type::step_completed, std::move(detail));
}

decision on_error(upgrade u, const step_error& e, time_point now, const retry_policy& p) {
    int attempt = u.attempt + 1;
    u.last_error = e.message;
    if (u.current == state::pending && (!e.retryable || attempt >= p.attempts_before_giving_up)) {
        // Nothing was done on Heroku yet: there is nothing to undo.
        return enter(std::move(u), state::failed, now, event_type::step_failed, e.message);
    }
    if (is_before_promote(u.current) && (!e.retryable || attempt >= p.attempts_before_giving_up)) {
        std::string detail = std::string(to_string(u.current)) + " failed: " + e.message;
        u.paused = false;
        return enter(std::move(u), state::rolling_back, now, event_type::step_failed,
                     std::move(detail));
    }
    // Retry. Forward-only states and rollbacks never give up; they ask for attention.
    u.attempt = attempt;
    bool attention =
        !is_before_promote(u.current) && (!e.retryable || attempt >= p.attempts_before_attention);
    event_type entry =
        attention && !u.needs_attention ? event_type::needs_attention : event_type::step_failed;
    u.needs_attention = u.needs_attention || attention;
    return {std::move(u), action::retry_after, backoff(attempt, p), entry, e.message};
}

result<decision> on_command(upgrade u, command c, time_point now) {
    if (is_terminal(u.current)) {
        return error{errc::invalid, "cannot " + std::string(to_string(c)) + ": upgrade " + u.id +
                                        " is " + std::string(to_string(u.current))};
    }
    const auto* row = std::find_if(commands.begin(), commands.end(),
                                   [c](const command_row& r) { return r.cmd == c; });
    if (!row->legal(u)) {
        return error{errc::invalid, "cannot " + std::string(to_string(c)) + " upgrade " + u.id +
                                        " in state " + std::string(to_string(u.current)) + ": " +
                                        row->refusal};
    }
    switch (c) {
    case command::pause:
        u.paused = true;
        return decision{std::move(u),
                        action::run_step,
                        {},
                        event_type::paused,
                        "pauses at the next step boundary"};
    case command::resume:
        u.paused = false;
        return decision{std::move(u), action::run_step, {}, event_type::resumed, ""};
    case command::cancel: {
        // Nothing was done on Heroku in pending; anywhere later there is something to undo.
        state next = u.current == state::pending ? state::cancelled : state::rolling_back;
        std::string detail = "cancelled in " + std::string(to_string(u.current));
        u.paused = false;
        u.last_error = "cancelled by the operator";
        return enter(std::move(u), next, now, event_type::cancel_requested, std::move(detail));
    }
    case command::retry:
        u.attempt = 0;
        u.needs_attention = false;
        return decision{std::move(u),
                        action::run_step,
                        {},
                        event_type::retried,
                        std::string(to_string(u.current))};
    }
    return error{errc::invalid, "unknown command"};
}

} // namespace

std::string_view to_string(command c) noexcept {
    switch (c) {
    case command::pause:
        return "pause";
    case command::resume:
        return "resume";
    case command::cancel:
        return "cancel";
    case command::retry:
        return "retry";
    }
    return "unknown";
}

state successor(state s, const upgrade_request& request) noexcept {
    if (s == state::rolling_back) {
        return state::rolled_back;
    }
    if (is_terminal(s)) {
        return s;
    }
    auto rows = procedure();
    auto it =
        std::find_if(rows.begin(), rows.end(), [s](const procedure_row& r) { return r.at == s; });
    // The forward procedure ends at succeeded: the rows after it are never a successor.
    for (++it; it != rows.end() && it->at != state::succeeded; ++it) {
        if (it->runs(request)) {
            return it->at;
        }
    }
    return state::succeeded;
}

bool is_before_promote(state s) noexcept {
    return row_of(s).in == phase::before_promote;
}

std::vector<compensation> compensation_plan(const upgrade& u) {
    std::vector<compensation> plan;
    if (!u.formation.empty()) {
        plan.push_back(compensation::scale_up);
    }
    if (u.original_maintenance.has_value()) {
        plan.push_back(compensation::restore_maintenance);
    }
    if (!u.target_addon_name.empty() && !u.request.keep_target_on_rollback) {
        plan.push_back(compensation::destroy_target);
    }
    return plan;
}

std::chrono::milliseconds backoff(int attempt, const retry_policy& policy) noexcept {
    auto delay = policy.first_backoff;
    for (int i = 1; i < attempt && delay < policy.max_backoff; ++i) {
        delay *= 2;
    }
    return std::min(delay, policy.max_backoff);
}

result<decision> decide(upgrade u, const input& in, time_point now, const retry_policy& policy) {
    if (const auto* c = std::get_if<command>(&in)) {
        return on_command(std::move(u), *c, now);
    }
    if (is_terminal(u.current)) {
        return error{errc::invalid,
                     "upgrade " + u.id + " is " + std::string(to_string(u.current)) + " already"};
    }
    if (std::holds_alternative<step_done>(in)) {
        return on_done(std::move(u), now);
    }
    if (const auto* e = std::get_if<step_error>(&in)) {
        return on_error(std::move(u), step_error{without_trailing_blanks(e->message), e->retryable},
                        now, policy);
    }
    const std::string message = without_trailing_blanks(std::get<stalled>(in).message);
    bool first = !u.needs_attention;
    u.needs_attention = true;
    u.last_error = message;
    return decision{std::move(u),
                    action::run_step,
                    {},
                    first ? event_type::needs_attention : event_type::progress,
                    message};
}

} // namespace pgshift
