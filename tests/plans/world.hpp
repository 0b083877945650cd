// A pure, in-memory Heroku for the planner tests: it answers a plan's requests at once,
// keeps the app's state and records every write, so a step runs to its end in microseconds.
#pragma once

#include "statemachine/plan.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::testing {

struct world {
    world();

    std::string app = "sushi";
    bool maintenance = false;
    std::vector<heroku::formation_entry> formation; // web=1 worker=2
    std::map<std::string, heroku::addon> addons;    // by id
    std::vector<heroku::attachment> attachments;
    heroku::config_vars vars;
    std::map<std::string, std::string> versions; // add-on id -> Postgres version
    std::vector<heroku::transfer> transfers;
    std::vector<heroku::release> releases; // oldest first
    time_point now{std::chrono::hours(24 * 365 * 50)};

    // Behaviour.
    int provisioning_gets = 2;                        // GETs of a new add-on that say provisioning
    bool provision_fails = false;                     // a new add-on ends deprovisioned
    std::chrono::milliseconds transfer_pending{0};    // from created_at to started_at
    std::chrono::milliseconds transfer_takes{10'000}; // from started_at to every byte done
    std::optional<std::chrono::milliseconds> restore_takes; // the restores' own, if set
    std::chrono::milliseconds transfer_tail{0};             // then this long until finished_at
    std::int64_t transfer_bytes = 1'000'000;
    bool transfer_fails = false;                    // transfers end succeeded=false
    bool transfer_stalls = false;                   // transfers never progress
    std::string release_status = "succeeded";       // what a promotion's release ends as
    std::chrono::milliseconds release_takes{0};     // a promotion's release is pending this long
    std::map<std::string, time_point> release_ends; // release id -> when it stops pending
    bool tables_match = true;
    // Answers this error instead of serving, while it returns one (count it yourself).
    std::function<std::optional<heroku::api_error>(const plan::request&)> fault;

    std::map<std::string, int> addon_gets; // GETs of each add-on so far
    std::vector<std::string> writes;       // "create_addon pgshift-…", "maintenance on", …
    std::vector<std::string> requests;     // every request's kind, in order
    std::vector<time_point> requested_at;  // and when it came

    // The source add-on (DATABASE) of the seeded app.
    const heroku::addon& source() const { return addons.at("src-id"); }
    std::any answer(const plan::request& r);
};

// What one run of a plan did.
struct plan_run {
    plan::step_outcome end;
    std::vector<plan::commit_effect> commits;
    int effects = 0;
};

// Drives `t` against `w` to its end: commits are recorded, waits move the world's clock.
// Throws when the plan has not ended after `limit` effects.
plan_run drive(plan::task<plan::step_outcome> t, world& w, plan::step_env& env,
               int limit = 100'000);

// An upgrade of w's app to standard-0 in state s with the first step's identities recorded.
upgrade upgrade_in(state s, const world& w);

heroku::api_error error_of(int status, std::string id);
heroku::api_error garbage(); // a 2xx body that did not parse: retryable, like a 5xx

} // namespace pgshift::testing
