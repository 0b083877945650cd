// decide(): every procedure row, failure policy, operator command and compensation.
#include "statemachine/decide.hpp"

#include <gtest/gtest.h>
#include <map>

namespace pgshift {
namespace {

using namespace std::chrono_literals;

const time_point t0 = time_point(std::chrono::seconds(1000));

upgrade in(state s) {
    upgrade u;
    u.id = "u1";
    u.request.app = "sushi";
    u.request.plan = "heroku-postgresql:standard-0";
    u.current = s;
    u.version = 7;
    return u;
}

decision ok(result<decision> r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    return std::move(r).value();
}

std::vector<state> walk(const upgrade_request& request) {
    std::vector<state> seen{state::pending};
    upgrade u = in(state::pending);
    u.request = request;
    while (!is_terminal(u.current) && seen.size() < 30) {
        u = ok(decide(u, step_done{}, t0)).next;
        seen.push_back(u.current);
    }
    return seen;
}

TEST(decide, default_request_walks_the_documented_procedure) {
    EXPECT_EQ(
        walk(in(state::pending).request),
        (std::vector<state>{state::pending, state::provisioning, state::entering_maintenance,
                            state::scaling_down, state::capturing, state::restoring,
                            state::verifying, state::promoting, state::scaling_up,
                            state::leaving_maintenance, state::confirming, state::succeeded}));
}

TEST(decide, optional_states_follow_the_request) {
    upgrade_request r = in(state::pending).request;
    r.downtime_at = t0 + 3600s;
    r.verify = false;
    r.remove_source_after = 24h;
    EXPECT_EQ(walk(r),
              (std::vector<state>{state::pending, state::provisioning, state::awaiting_window,
                                  state::entering_maintenance, state::scaling_down,
                                  state::capturing, state::restoring, state::promoting,
                                  state::scaling_up, state::leaving_maintenance, state::confirming,
                                  state::removing_source, state::succeeded}));
}

TEST(decide, done_resets_the_step_and_runs_the_next) {
    upgrade u = in(state::capturing);
    u.attempt = 3;
    u.last_error = "503";
    u.transfer.processed_bytes = 99;
    decision d = ok(decide(u, step_done{}, t0));
    EXPECT_EQ(d.next.current, state::restoring);
    EXPECT_EQ(d.next.attempt, 0);
    EXPECT_EQ(d.next.step_started_at, t0);
    EXPECT_EQ(d.next.transfer.processed_bytes, 0);
    EXPECT_EQ(d.next.last_error, "");
    EXPECT_EQ(d.next.version, 7) << "the store bumps the version, not decide";
    EXPECT_EQ(d.act, action::run_step);
    EXPECT_EQ(d.entry, event_type::step_completed);
}

TEST(decide, the_last_step_finishes) {
    decision d = ok(decide(in(state::confirming), step_done{}, t0));
    EXPECT_EQ(d.next.current, state::succeeded);
    EXPECT_EQ(d.act, action::finish);
    EXPECT_EQ(d.next.finished_at, t0);
}

TEST(decide, pause_takes_effect_at_the_next_boundary) {
    upgrade u = in(state::restoring);
    decision p = ok(decide(u, command::pause, t0));
    EXPECT_TRUE(p.next.paused);
    EXPECT_EQ(p.next.current, state::restoring);
    EXPECT_EQ(p.act, action::run_step) << "the running step goes on";
    EXPECT_EQ(p.entry, event_type::paused);
    decision d = ok(decide(p.next, step_done{}, t0));
    EXPECT_EQ(d.next.current, state::verifying);
    EXPECT_EQ(d.act, action::idle);
    decision r = ok(decide(d.next, command::resume, t0));
    EXPECT_FALSE(r.next.paused);
    EXPECT_EQ(r.act, action::run_step);
    EXPECT_EQ(r.entry, event_type::resumed);
}

TEST(decide, retryable_errors_back_off_before_promote_then_roll_back) {
    retry_policy p;
    upgrade u = in(state::restoring);
    for (int attempt = 1; attempt < p.attempts_before_giving_up; ++attempt) {
        decision d = ok(decide(u, step_error{"503", true}, t0, p));
        EXPECT_EQ(d.act, action::retry_after);
        EXPECT_EQ(d.delay, backoff(attempt, p));
        EXPECT_EQ(d.next.attempt, attempt);
        EXPECT_EQ(d.next.current, state::restoring);
        EXPECT_FALSE(d.next.needs_attention);
        u = d.next;
    }
    decision last = ok(decide(u, step_error{"503 again", true}, t0, p));
    EXPECT_EQ(last.next.current, state::rolling_back);
    EXPECT_EQ(last.act, action::run_step);
    EXPECT_EQ(last.entry, event_type::step_failed);
    EXPECT_EQ(last.next.last_error, "503 again");
    EXPECT_NE(last.detail.find("restoring failed"), std::string::npos);
}

TEST(decide, a_permanent_error_before_promote_rolls_back_at_once) {
    for (state s : {state::provisioning, state::awaiting_window, state::entering_maintenance,
                    state::scaling_down, state::capturing, state::restoring, state::verifying}) {
        decision d = ok(decide(in(s), step_error{"backup failed", false}, t0));
        EXPECT_EQ(d.next.current, state::rolling_back) << to_string(s);
    }
}

TEST(decide, a_permanent_error_while_pending_fails_without_rollback) {
    decision d = ok(decide(in(state::pending), step_error{"app not found", false}, t0));
    EXPECT_EQ(d.next.current, state::failed);
    EXPECT_EQ(d.act, action::finish);
    EXPECT_EQ(d.next.last_error, "app not found");
}

TEST(decide, from_promote_on_errors_retry_forever_and_ask_for_attention) {
    retry_policy p;
    for (state s : {state::promoting, state::scaling_up, state::leaving_maintenance,
                    state::confirming, state::removing_source, state::rolling_back}) {
        upgrade u = in(s);
        bool asked = false;
        for (int attempt = 1; attempt <= 12; ++attempt) {
            decision d = ok(decide(u, step_error{"500", true}, t0, p));
            EXPECT_EQ(d.next.current, s) << to_string(s);
            EXPECT_EQ(d.act, action::retry_after);
            EXPECT_LE(d.delay, p.max_backoff);
            EXPECT_EQ(d.next.needs_attention, attempt >= p.attempts_before_attention);
            if (d.entry == event_type::needs_attention) {
                EXPECT_FALSE(asked) << "attention is announced once";
                asked = true;
            }
            u = d.next;
        }
        EXPECT_TRUE(asked) << to_string(s);
    }
}

TEST(decide, a_permanent_error_after_promote_asks_for_attention_at_once) {
    decision d = ok(decide(in(state::scaling_up), step_error{"422 invalid", false}, t0));
    EXPECT_EQ(d.next.current, state::scaling_up);
    EXPECT_TRUE(d.next.needs_attention);
    EXPECT_EQ(d.entry, event_type::needs_attention);
    EXPECT_EQ(d.act, action::retry_after);
}

TEST(decide, a_rollback_ends_rolled_back) {
    upgrade u = in(state::rolling_back);
    u.last_error = "restore failed";
    decision d = ok(decide(u, step_done{}, t0));
    EXPECT_EQ(d.next.current, state::rolled_back);
    EXPECT_EQ(d.act, action::finish);
    EXPECT_EQ(d.next.last_error, "restore failed") << "the reason for the rollback is kept";
}

TEST(decide, a_rollbacks_summary_says_what_it_undid_in_words) {
    upgrade u = in(state::rolling_back);
    u.restore_uuid = "r1";
    u.formation = {{"worker", 3}};
    u.original_maintenance = false;
    u.target_addon_name = "pgshift-u1";
    EXPECT_EQ(ok(decide(u, step_done{}, t0)).detail,
              "rollback: restore stopped, worker=3 restored, maintenance off, target "
              "pgshift-u1 destroyed");
    u.restore_uuid.clear();
    u.formation = {{"worker", 2}, {"clock", 1}};
    u.original_maintenance = true;
    u.request.keep_target_on_rollback = true;
    EXPECT_EQ(ok(decide(u, step_done{}, t0)).detail,
              "rollback: worker=2 clock=1 restored, maintenance left on, as before, target "
              "pgshift-u1 kept (keep_target_on_rollback)");
    EXPECT_EQ(ok(decide(in(state::rolling_back), step_done{}, t0)).detail,
              "rollback: nothing to undo");
    EXPECT_EQ(ok(decide(in(state::restoring), step_done{}, t0)).detail, "restoring done");
}

TEST(decide, a_stall_asks_for_attention_once_and_keeps_polling) {
    decision d = ok(decide(in(state::restoring), stalled{"no progress for 30 min"}, t0));
    EXPECT_TRUE(d.next.needs_attention);
    EXPECT_EQ(d.entry, event_type::needs_attention);
    EXPECT_EQ(d.act, action::run_step);
    EXPECT_EQ(d.next.current, state::restoring);
    decision again = ok(decide(d.next, stalled{"still none"}, t0));
    EXPECT_EQ(again.entry, event_type::progress);
}

TEST(decide, cancel_before_anything_happened_cancels) {
    decision d = ok(decide(in(state::pending), command::cancel, t0));
    EXPECT_EQ(d.next.current, state::cancelled);
    EXPECT_EQ(d.act, action::finish);
    EXPECT_EQ(d.entry, event_type::cancel_requested);
}

TEST(decide, cancel_mid_restore_rolls_back_even_when_paused) {
    upgrade u = in(state::restoring);
    u.paused = true;
    decision d = ok(decide(u, command::cancel, t0));
    EXPECT_EQ(d.next.current, state::rolling_back);
    EXPECT_FALSE(d.next.paused) << "a rollback restores the app; it never waits";
    EXPECT_EQ(d.act, action::run_step);
    EXPECT_EQ(d.detail, "cancelled in restoring");
}

TEST(decide, retry_resets_the_failing_step) {
    upgrade u = in(state::promoting);
    u.attempt = 9;
    u.needs_attention = true;
    decision d = ok(decide(u, command::retry, t0));
    EXPECT_EQ(d.next.attempt, 0);
    EXPECT_FALSE(d.next.needs_attention);
    EXPECT_EQ(d.act, action::run_step);
    EXPECT_EQ(d.entry, event_type::retried);
}

// Every command in every state: legal where the table says, refused with a reason elsewhere.
TEST(decide, command_legality_in_every_state) {
    for (state s : all_states) {
        bool terminal = is_terminal(s);
        bool before = is_before_promote(s);
        for (bool paused : {false, true}) {
            for (bool failing : {false, true}) {
                upgrade u = in(s);
                u.paused = paused;
                u.needs_attention = failing;
                std::map<command, bool> expected{
                    {command::pause, !terminal && !paused && s != state::rolling_back},
                    {command::resume, !terminal && paused},
                    {command::cancel, !terminal && before},
                    {command::retry, !terminal && failing},
                };
                for (auto [c, legal] : expected) {
                    auto r = decide(u, c, t0);
                    EXPECT_EQ(r.ok(), legal)
                        << to_string(c) << " in " << to_string(s) << (paused ? " paused" : "")
                        << (failing ? " failing" : "");
                    if (!r.ok()) {
                        EXPECT_EQ(r.err().code, errc::invalid);
                        EXPECT_NE(r.err().message.find(to_string(c)), std::string::npos);
                        EXPECT_NE(r.err().message.find(to_string(s)), std::string::npos);
                    }
                }
            }
        }
    }
}

TEST(decide, worker_inputs_on_a_finished_upgrade_are_refused) {
    for (state s : {state::succeeded, state::failed, state::cancelled, state::rolled_back}) {
        EXPECT_FALSE(decide(in(s), step_done{}, t0).ok());
        EXPECT_FALSE(decide(in(s), step_error{"x", true}, t0).ok());
        EXPECT_FALSE(decide(in(s), stalled{"x"}, t0).ok());
    }
}

TEST(decide, compensations_undo_only_what_was_recorded) {
    upgrade u = in(state::rolling_back);
    EXPECT_TRUE(compensation_plan(u).empty());
    u.target_addon_name = "pgshift-u1";
    EXPECT_EQ(compensation_plan(u), (std::vector{compensation::destroy_target}));
    u.original_maintenance = false;
    u.formation = {{"worker", 3}};
    EXPECT_EQ(compensation_plan(u),
              (std::vector{compensation::scale_up, compensation::restore_maintenance,
                           compensation::destroy_target}));
    u.request.keep_target_on_rollback = true;
    EXPECT_EQ(compensation_plan(u),
              (std::vector{compensation::scale_up, compensation::restore_maintenance}));
}

TEST(decide, backoff_doubles_up_to_the_cap) {
    retry_policy p{.first_backoff = 1000ms, .max_backoff = 10s};
    EXPECT_EQ(backoff(1, p), 1000ms);
    EXPECT_EQ(backoff(2, p), 2000ms);
    EXPECT_EQ(backoff(4, p), 8000ms);
    EXPECT_EQ(backoff(5, p), 10s);
    EXPECT_EQ(backoff(60, p), 10s);
}

} // namespace
} // namespace pgshift
