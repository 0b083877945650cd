// What the step plans share: failure words, the target's name, attachments, one poll loop.
#pragma once

#include "statemachine/plan.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::plan {

// "create add-on: 503 unavailable: … (request …)", retryable as Heroku's answer says.
step_error heroku_failure(std::string_view what, const heroku::api_error& e);

// The add-on name pgshift gives the target, derived from the upgrade id alone, so a resumed
// worker finds the add-on it may have created before a crash.
std::string target_addon_name(std::string_view upgrade_id);

// "15.4" -> "15"; before Postgres 10 the major version had two parts ("9.6.24" -> "9.6").
std::string major_of(const std::string& version);

// The attachment named `name` without a namespace, or null.
const heroku::attachment* find_attachment(const std::vector<heroku::attachment>& all,
                                          std::string_view name);

// The URL of one add-on, from the config var of any attachment of it without a namespace.
std::optional<std::string> url_of(const std::vector<heroku::attachment>& all,
                                  const heroku::config_vars& vars, const std::string& addon_id);

struct chosen_extensions {
    std::vector<std::string> names;
    std::string reason; // for the history: the names and where they came from
};

// The extensions the restore asks Heroku to pre-install: the request's, else the source's
// installed ones (read-only, with libpq), else none (the restore then reports what it
// skipped). Chosen before the downtime: reading the source takes a connection or three.
task<heroku::outcome<chosen_extensions>> restore_extensions(step_env& env);

// How long the step has waited for something since `since`.
inline std::chrono::milliseconds waited(const step_env& env, time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(env.now - since);
}

// How long a poll waits after a transient error: a second while the app is down.
std::chrono::milliseconds error_delay(const step_env& env);

// A poll's verdict on one answer: finished (done, failed, stalled) or ask again after a
// delay, committing `progress` first when set.
struct again {
    again(std::chrono::milliseconds a, std::optional<commit_effect> p = std::nullopt)
        : after(a)
        , progress(std::move(p)) {}
    std::chrono::milliseconds after;
    std::optional<commit_effect> progress;
};
using verdict = std::variant<step_done, step_error, stalled, again>;

// Transient errors in a row that one poll waits out before its step fails.
inline constexpr int poll_error_budget = 10;

// The one polling loop: asks make() until judge ends it. judge sees every answer and may
// return nullopt for an error it leaves to the rule: a transient error (network, 5xx, 429,
// an unreadable answer) is asked again after poll_interval, up to poll_error_budget in a row
// (a good answer resets the count); any other error fails the step as `what`.
template<class Make, class Judge>
task<step_outcome> poll(step_env& env, std::string what, Make make, Judge judge) {
    int errors = 0;
    for (;;) {
        auto answer = co_await ask<decltype(make())>(make());
        std::optional<verdict> v = judge(answer);
        if (!v) {
            if (!heroku::is_retryable(answer.err()) || ++errors > poll_error_budget) {
                co_return heroku_failure(what, answer.err());
            }
            co_await wait(error_delay(env));
            continue;
        }
        if (answer) {
            errors = 0;
        }
        if (auto* a = std::get_if<again>(&*v)) {
            if (a->progress) {
                co_await commit(a->progress->type, a->progress->detail, a->progress->identity,
                                a->progress->crash_after);
            }
            co_await wait(a->after);
            continue;
        }
        if (auto* e = std::get_if<step_error>(&*v)) {
            co_return *e;
        }
        if (auto* s = std::get_if<stalled>(&*v)) {
            co_return *s;
        }
        co_return step_done{};
    }
}

} // namespace pgshift::plan
