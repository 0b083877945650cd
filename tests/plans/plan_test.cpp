// Every step's plan against a pure in-memory Heroku, without a socket, a store or a clock:
// fresh, resumed after its intent, resumed after its identity, Heroku says it failed, and
// Heroku says nothing useful.
#include "statemachine/plan_common.hpp"
#include "statemachine/plans.hpp"
#include "statemachine/poll_schedule.hpp"
#include "statemachine/procedure.hpp"
#include "tests/plans/world.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <iostream>
#include <map>

namespace pgshift::testing {
namespace {

namespace rq = plan::rq;
using namespace std::chrono_literals;
using strings = std::vector<std::string>;

template<class R>
bool is(const plan::request& r) {
    return std::holds_alternative<R>(r);
}

struct plans : ::testing::Test {
    world w;
    plan::step_options opts;
    upgrade u;

    plan_run run(state s) {
        u.current = s;
        plan::step_env env{u, w.now, opts};
        return drive(row_of(s).plan(env), w, env);
    }
    static const step_error* failed(const plan_run& r) { return std::get_if<step_error>(&r.end); }
    static bool done(const plan_run& r) { return std::holds_alternative<step_done>(r.end); }
    static std::string why(const plan_run& r) {
        const auto* e = failed(r);
        return e ? e->message : std::holds_alternative<stalled>(r.end) ? "stalled" : "done";
    }
    bool committed(const plan_run& r, const std::string& words) {
        return std::any_of(r.commits.begin(), r.commits.end(), [&](const auto& c) {
            return c.detail.find(words) != std::string::npos;
        });
    }
    int count(const std::string& kind) {
        return static_cast<int>(
            std::count_if(w.requests.begin(), w.requests.end(),
                          [&](const auto& k) { return k.find(kind) != std::string::npos; }));
    }
    // Faults every request of kind R with e, `times` times (-1: always).
    template<class R>
    void fault(heroku::api_error e, int times = -1) {
        w.fault = [e, times](const plan::request& r) mutable -> std::optional<heroku::api_error> {
            if (is<R>(r) && times != 0) {
                --times;
                return e;
            }
            return std::nullopt;
        };
    }
    // The world after provisioning: the target exists, provisioned, attached.
    void provisioned() {
        u.target_addon_name = plan::target_addon_name(u.id);
        plan::step_env env{u, w.now, opts};
        u.current = state::provisioning;
        drive(plan::plan_provisioning(env), w, env);
        w.writes.clear();
        w.requests.clear();
        w.requested_at.clear();
    }
    void in_maintenance_scaled_down() {
        u.original_maintenance = false;
        u.downtime.began = w.now;
        u.formation = {{"worker", 2}};
        w.maintenance = true;
        w.formation[1].quantity = 0;
    }
};

// --- pending: find the source -------------------------------------------------------------

TEST_F(plans, pending_fresh_records_the_source_and_its_version) {
    u = upgrade_in(state::pending, w);
    u.source_addon_id.clear();
    u.target_version.clear();
    auto r = run(state::pending);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(u.source_addon_id, "src-id");
    EXPECT_EQ(u.target_version, "15");
    ASSERT_EQ(r.commits.size(), 1u);
    EXPECT_EQ(r.commits[0].identity, "src-id");
    EXPECT_TRUE(w.writes.empty());
}

TEST_F(plans, pending_resumed_after_its_record_asks_nothing) {
    u = upgrade_in(state::pending, w);
    auto r = run(state::pending);
    EXPECT_TRUE(done(r));
    EXPECT_TRUE(w.requests.empty());
}

TEST_F(plans, pending_an_app_without_database_fails_for_good) {
    u = upgrade_in(state::pending, w);
    u.source_addon_id.clear();
    w.attachments.clear();
    auto r = run(state::pending);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
    EXPECT_NE(why(r).find("no add-on attached as DATABASE"), std::string::npos);
}

TEST_F(plans, pending_an_unreadable_answer_is_worth_another_attempt) {
    u = upgrade_in(state::pending, w);
    u.source_addon_id.clear();
    fault<rq::list_attachments>(garbage());
    auto r = run(state::pending);
    ASSERT_TRUE(failed(r));
    EXPECT_TRUE(failed(r)->retryable);
    EXPECT_TRUE(u.source_addon_id.empty());
}

// --- provisioning ---------------------------------------------------------------------------

TEST_F(plans, provisioning_fresh_creates_the_target_once_and_waits_until_ready) {
    u = upgrade_in(state::provisioning, w);
    auto r = run(state::provisioning);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(w.writes, strings{"create_addon " + plan::target_addon_name(u.id)});
    EXPECT_EQ(u.target_addon_id, "tgt-id");
    EXPECT_EQ(r.commits.front().identity, "tgt-id");
    EXPECT_EQ(w.addons["tgt-id"].state, "provisioned");
    EXPECT_EQ(w.versions["tgt-id"], "15.1"); // pinned to the source's major
}

TEST_F(plans, provisioning_resumed_after_its_intent_adopts_the_addon_it_created) {
    u = upgrade_in(state::provisioning, w);
    auto first = run(state::provisioning);
    ASSERT_TRUE(done(first));
    // A crash between the POST and its record: the identity was never committed.
    u.target_addon_id.clear();
    w.writes.clear();
    auto r = run(state::provisioning);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_TRUE(w.writes.empty()) << "never a second add-on";
    EXPECT_EQ(u.target_addon_id, "tgt-id");
    EXPECT_TRUE(committed(r, "adopted add-on"));
}

TEST_F(plans, provisioning_resumed_after_its_identity_only_waits) {
    u = upgrade_in(state::provisioning, w);
    ASSERT_TRUE(done(run(state::provisioning)));
    w.writes.clear();
    w.requests.clear();
    w.requested_at.clear();
    auto r = run(state::provisioning);
    ASSERT_TRUE(done(r));
    EXPECT_TRUE(w.writes.empty());
    EXPECT_TRUE(r.commits.empty());
}

TEST_F(plans, provisioning_an_addon_heroku_deprovisions_fails_for_good) {
    u = upgrade_in(state::provisioning, w);
    w.provision_fails = true;
    auto r = run(state::provisioning);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
    EXPECT_NE(why(r).find("deprovisioned"), std::string::npos);
}

TEST_F(plans, provisioning_waits_out_transient_errors_up_to_the_budget_then_fails_retryably) {
    u = upgrade_in(state::provisioning, w);
    ASSERT_TRUE(done(run(state::provisioning)));
    w.addons["tgt-id"].state = "provisioning";
    w.addon_gets.clear();
    w.requests.clear();
    w.requested_at.clear();
    fault<rq::get_addon>(garbage());
    auto r = run(state::provisioning);
    ASSERT_TRUE(failed(r));
    EXPECT_TRUE(failed(r)->retryable);
    EXPECT_EQ(count("get_addon"), plan::poll_error_budget + 1);
}

TEST_F(plans, provisioning_passing_errors_while_polling_are_waited_out) {
    u = upgrade_in(state::provisioning, w);
    ASSERT_TRUE(done(run(state::provisioning)));
    w.addons["tgt-id"].state = "provisioning";
    w.addon_gets.clear();
    fault<rq::get_addon>(error_of(503, "unavailable"), 4);
    const auto before = w.now;
    auto r = run(state::provisioning);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_GE(w.now - before, 4 * opts.poll_interval);
}

TEST_F(plans, provisioning_confirms_the_app_when_heroku_answers_423) {
    u = upgrade_in(state::provisioning, w);
    fault<rq::create_addon>(error_of(423, "confirmation_required"), 1);
    auto r = run(state::provisioning);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(w.writes.size(), 1u);
    EXPECT_EQ(count("create_addon"), 2);
}

TEST_F(plans, provisioning_tolerates_the_data_apis_early_404s) {
    u = upgrade_in(state::provisioning, w);
    fault<rq::wait_status>(error_of(404, "not_found"), 5);
    auto r = run(state::provisioning);
    ASSERT_TRUE(done(r)) << why(r);
    opts.wait_status_404s = 2;
    fault<rq::wait_status>(error_of(404, "not_found"), 5);
    r = run(state::provisioning);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
}

TEST_F(plans, provisioning_another_major_version_than_pinned_fails_for_good) {
    u = upgrade_in(state::provisioning, w);
    ASSERT_TRUE(done(run(state::provisioning)));
    w.versions["tgt-id"] = "17.2";
    auto r = run(state::provisioning);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
}

// --- awaiting_window --------------------------------------------------------------------------

TEST_F(plans, awaiting_window_waits_until_the_time_and_asks_heroku_nothing) {
    u = upgrade_in(state::awaiting_window, w);
    u.request.downtime_at = w.now + 3h + 10s;
    auto r = run(state::awaiting_window);
    ASSERT_TRUE(done(r));
    EXPECT_GE(w.now, *u.request.downtime_at);
    EXPECT_LT(w.now, *u.request.downtime_at + 1s);
    EXPECT_TRUE(w.requests.empty());
}

// --- entering_maintenance ---------------------------------------------------------------------

TEST_F(plans, entering_maintenance_fresh_remembers_it_was_off_and_turns_it_on) {
    u = upgrade_in(state::entering_maintenance, w);
    auto r = run(state::entering_maintenance);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(u.original_maintenance, false);
    EXPECT_EQ(w.writes, strings{"maintenance on"});
}

TEST_F(plans, entering_maintenance_resumed_after_its_intent_keeps_the_first_reading) {
    u = upgrade_in(state::entering_maintenance, w);
    u.original_maintenance = false; // committed with the intent; the PATCH then went through
    w.maintenance = true;
    auto r = run(state::entering_maintenance);
    ASSERT_TRUE(done(r));
    EXPECT_EQ(u.original_maintenance, false) << "maintenance off is what the app gets back";
    EXPECT_EQ(count("get_app"), 0);
}

TEST_F(plans, entering_maintenance_chooses_the_extensions_then_starts_the_downtime) {
    u = upgrade_in(state::entering_maintenance, w);
    const time_point start = w.now;
    auto r = run(state::entering_maintenance);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(u.restore_extensions, strings{"hstore"});
    EXPECT_EQ(u.restore_extensions_reason, "hstore (installed on the source)");
    // The source is read while the app still runs: before the maintenance request.
    const auto read = std::find_if(w.requests.begin(), w.requests.end(), [](const auto& k) {
        return k.find("read_extensions") != std::string::npos;
    });
    const auto down = std::find_if(w.requests.begin(), w.requests.end(), [](const auto& k) {
        return k.find("set_maintenance") != std::string::npos;
    });
    ASSERT_NE(read, w.requests.end());
    EXPECT_LT(read, down);
    ASSERT_TRUE(u.downtime.began.has_value());
    EXPECT_GE(*u.downtime.began, start);
    EXPECT_FALSE(u.downtime.ended.has_value());
}

TEST_F(plans, entering_maintenance_resumed_keeps_the_first_downtime_start) {
    u = upgrade_in(state::entering_maintenance, w);
    const time_point first = w.now;
    u.downtime.began = first; // committed with the first run's intent
    w.now += 10s;
    ASSERT_TRUE(done(run(state::entering_maintenance)));
    EXPECT_EQ(u.downtime.began, first) << "a crash never shortens the downtime";
}

TEST_F(plans, leaving_maintenance_ends_the_downtime_with_its_answer) {
    u = upgrade_in(state::leaving_maintenance, w);
    u.original_maintenance = false;
    u.downtime.began = w.now - 30s;
    w.maintenance = true;
    auto r = run(state::leaving_maintenance);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(u.downtime.ended, w.now);
    fault<rq::set_maintenance>(error_of(503, "unavailable"));
    u.downtime.ended.reset();
    r = run(state::leaving_maintenance);
    EXPECT_FALSE(u.downtime.ended.has_value()) << "no answer: the app may still be down";
}

TEST_F(plans, entering_maintenance_heroku_refusing_fails_for_good) {
    u = upgrade_in(state::entering_maintenance, w);
    fault<rq::set_maintenance>(error_of(422, "invalid_params"));
    auto r = run(state::entering_maintenance);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
}

TEST_F(plans, entering_maintenance_an_unreadable_answer_is_retried) {
    u = upgrade_in(state::entering_maintenance, w);
    fault<rq::set_maintenance>(garbage());
    auto r = run(state::entering_maintenance);
    ASSERT_TRUE(failed(r));
    EXPECT_TRUE(failed(r)->retryable);
}

// --- scaling_down / scaling_up ----------------------------------------------------------------

TEST_F(plans, scaling_down_fresh_records_the_formation_then_scales_to_zero) {
    u = upgrade_in(state::scaling_down, w);
    auto r = run(state::scaling_down);
    ASSERT_TRUE(done(r)) << why(r);
    ASSERT_EQ(u.formation.size(), 1u); // worker only: web and release stay
    EXPECT_EQ(u.formation[0], (process_quantity{"worker", 2}));
    EXPECT_EQ(w.writes, strings{"scale worker=0"});
}

TEST_F(plans, scaling_down_resumed_after_its_intent_keeps_the_recorded_quantities) {
    u = upgrade_in(state::scaling_down, w);
    in_maintenance_scaled_down();
    auto r = run(state::scaling_down);
    ASSERT_TRUE(done(r));
    EXPECT_EQ(u.formation[0].quantity, 2) << "never re-read after scaling down";
    EXPECT_EQ(count("list_formation"), 0);
}

TEST_F(plans, scaling_down_a_formation_heroku_did_not_take_is_retried) {
    u = upgrade_in(state::scaling_down, w);
    fault<rq::scale_formation>(garbage());
    auto r = run(state::scaling_down);
    ASSERT_TRUE(failed(r));
    EXPECT_TRUE(failed(r)->retryable);
    fault<rq::scale_formation>(error_of(422, "invalid_params"));
    r = run(state::scaling_down);
    EXPECT_FALSE(failed(r)->retryable);
}

TEST_F(plans, scaling_up_restores_the_recorded_quantities) {
    u = upgrade_in(state::scaling_up, w);
    in_maintenance_scaled_down();
    auto r = run(state::scaling_up);
    ASSERT_TRUE(done(r));
    EXPECT_EQ(w.writes, strings{"scale worker=2"});
    EXPECT_EQ(w.formation[1].quantity, 2);
}

TEST_F(plans, scaling_again_after_a_failed_attempt_looks_before_it_writes) {
    u = upgrade_in(state::scaling_up, w);
    in_maintenance_scaled_down();
    // The first attempt's PATCH took effect, but its answer could not be read.
    w.formation[1].quantity = 2;
    u.attempt = 1;
    auto r = run(state::scaling_up);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_TRUE(w.writes.empty()) << "the quantities were there: no second PATCH";
    EXPECT_EQ(count("list_formation"), 1);

    // Not there yet (the PATCH never arrived): it is sent.
    w.formation[1].quantity = 0;
    r = run(state::scaling_up);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(w.writes, strings{"scale worker=2"});
    EXPECT_EQ(w.formation[1].quantity, 2);

    // A first attempt does not read first.
    u.attempt = 0;
    w.formation[1].quantity = 0;
    w.writes.clear();
    w.requests.clear();
    ASSERT_TRUE(done(run(state::scaling_up)));
    EXPECT_EQ(w.writes, strings{"scale worker=2"});
    EXPECT_EQ(count("list_formation"), 0);
}

TEST_F(plans, leaving_maintenance_gives_back_what_the_app_had) {
    u = upgrade_in(state::leaving_maintenance, w);
    in_maintenance_scaled_down();
    ASSERT_TRUE(done(run(state::leaving_maintenance)));
    EXPECT_FALSE(w.maintenance);
    u.original_maintenance = true;
    w.writes.clear();
    ASSERT_TRUE(done(run(state::leaving_maintenance)));
    EXPECT_EQ(w.writes, strings{"maintenance on"}) << "an app that was in maintenance stays";
}

// --- capturing ----------------------------------------------------------------------------------

TEST_F(plans, capturing_fresh_starts_one_backup_and_follows_it_to_the_end) {
    u = upgrade_in(state::capturing, w);
    auto r = run(state::capturing);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(w.writes, strings{"capture"});
    EXPECT_EQ(u.backup_uuid, "xfer-1");
    EXPECT_EQ(u.backup_num, 1);
    EXPECT_TRUE(committed(r, "started backup b1"));
    EXPECT_TRUE(committed(r, "backup finished, 1000000 bytes"));
    EXPECT_EQ(u.transfer.processed_bytes, w.transfer_bytes);
}

TEST_F(plans, capturing_resumed_after_its_intent_adopts_the_backup_started_since_the_step) {
    u = upgrade_in(state::capturing, w);
    auto first = run(state::capturing);
    ASSERT_TRUE(done(first));
    u.backup_uuid.clear(); // a crash between the POST and its record
    u.backup_num.reset();
    w.writes.clear();
    auto r = run(state::capturing);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_TRUE(w.writes.empty()) << "never a second backup";
    EXPECT_EQ(u.backup_uuid, "xfer-1");
    EXPECT_TRUE(committed(r, "adopted backup b1"));
}

TEST_F(plans, capturing_never_adopts_a_backup_older_than_the_step) {
    u = upgrade_in(state::capturing, w);
    ASSERT_TRUE(done(run(state::capturing)));
    u.backup_uuid.clear();
    u.step_started_at = w.now + 1min; // the step began after that backup
    w.now += 2min;
    w.writes.clear();
    ASSERT_TRUE(done(run(state::capturing)));
    EXPECT_EQ(w.writes, strings{"capture"});
    EXPECT_EQ(u.backup_uuid, "xfer-2");
}

TEST_F(plans, capturing_resumed_after_its_identity_only_follows) {
    u = upgrade_in(state::capturing, w);
    ASSERT_TRUE(done(run(state::capturing)));
    w.writes.clear();
    w.requests.clear();
    w.requested_at.clear();
    auto r = run(state::capturing);
    ASSERT_TRUE(done(r));
    EXPECT_TRUE(w.writes.empty());
    EXPECT_EQ(count("list_transfers"), 0);
}

TEST_F(plans, capturing_a_backup_heroku_failed_fails_for_good_with_its_log) {
    u = upgrade_in(state::capturing, w);
    w.transfer_fails = true;
    auto r = run(state::capturing);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
    EXPECT_NE(why(r).find("out of disk"), std::string::npos) << why(r);
}

TEST_F(plans, capturing_unreadable_status_answers_end_the_attempt_retryably) {
    u = upgrade_in(state::capturing, w);
    fault<rq::get_transfer>(garbage());
    auto r = run(state::capturing);
    ASSERT_TRUE(failed(r));
    EXPECT_TRUE(failed(r)->retryable);
    EXPECT_EQ(count("get_transfer"), plan::poll_error_budget + 1);
}

TEST_F(plans, capturing_a_transfer_without_progress_asks_for_attention_once) {
    u = upgrade_in(state::capturing, w);
    w.transfer_stalls = true;
    auto r = run(state::capturing);
    ASSERT_TRUE(std::holds_alternative<stalled>(r.end));
    EXPECT_GE(w.now - *u.step_started_at, opts.stall_after);
}

// The gaps between the polls of one kind of request, in order.
std::vector<std::chrono::milliseconds> gaps(const world& w, const std::string& kind) {
    std::vector<std::chrono::milliseconds> out;
    std::optional<time_point> last;
    for (std::size_t i = 0; i < w.requests.size(); ++i) {
        if (w.requests[i].find(kind) != std::string::npos) {
            if (last) {
                out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(
                    w.requested_at[i] - *last));
            }
            last = w.requested_at[i];
        }
    }
    return out;
}

TEST_F(plans, capturing_outside_the_downtime_polls_no_faster_than_poll_interval) {
    u = upgrade_in(state::capturing, w); // maintenance was never turned on by this upgrade
    w.transfer_takes = 1h;
    auto r = run(state::capturing);
    ASSERT_TRUE(done(r));
    // An hour at a fixed 5 s would be 720 polls; half the time left each time is ~20.
    EXPECT_LT(count("get_transfer"), 40);
    for (auto gap : gaps(w, "get_transfer")) {
        EXPECT_GE(gap, opts.poll_interval);
    }
}

TEST_F(plans, capturing_in_the_downtime_notices_the_end_within_a_tenth_of_a_second) {
    u = upgrade_in(state::capturing, w);
    u.downtime.began = w.now;
    w.transfer_pending = 500ms;
    w.transfer_takes = 10s;
    auto r = run(state::capturing);
    ASSERT_TRUE(done(r)) << why(r);
    // The world's created_at is whole seconds, as Heroku's.
    const time_point end = *w.transfers.back().created_at + 10'500ms;
    EXPECT_GE(w.now, end);
    EXPECT_LE(w.now - end, 100ms) << "noticed late";
    EXPECT_LE(count("get_transfer"), 20);
    EXPECT_EQ(u.downtime.capture_ms, 10'500) << "Heroku's own time: created to finished";
}

TEST_F(plans, capturing_in_the_downtime_asks_a_pending_transfer_again_within_poll_min) {
    u = upgrade_in(state::capturing, w);
    u.downtime.began = w.now;
    w.transfer_pending = 3s;
    w.transfer_takes = 2s;
    ASSERT_TRUE(done(run(state::capturing)));
    auto g = gaps(w, "get_transfer");
    ASSERT_GE(g.size(), 2u);
    EXPECT_EQ(g.front(), opts.poll_min) << "no 5 s first sleep while the app is down";
}

TEST_F(plans, capturing_asks_a_transfer_it_just_started_after_poll_min) {
    u = upgrade_in(state::capturing, w);
    u.downtime.began = w.now;
    w.transfer_pending = 500ms;
    ASSERT_TRUE(done(run(state::capturing)));
    // The POST's answer said pending: the first poll comes poll_min later, not at once.
    std::optional<time_point> posted;
    for (std::size_t i = 0; i < w.requests.size(); ++i) {
        if (w.requests[i].find("capture_backup") != std::string::npos) {
            posted = w.requested_at[i];
        } else if (posted && w.requests[i].find("get_transfer") != std::string::npos) {
            EXPECT_EQ(w.requested_at[i] - *posted, opts.poll_min);
            break;
        }
    }
    EXPECT_TRUE(posted);
}

// Every step of a whole upgrade in order, as the worker runs them (verification off: the
// world has no databases), on the world's clock; the requests each made.
struct whole_upgrade : plans {
    std::map<std::string, int> calls_by_phase; // before | in | after the downtime

    void run_all() {
        u = upgrade_in(state::pending, w);
        u.source_addon_id.clear();
        u.request.verify = false;
        for (const procedure_row& row : procedure()) {
            if (row.in == phase::finished || row.in == phase::rollback || !row.runs(u.request)) {
                continue;
            }
            const auto before = w.requests.size();
            const bool down_before = plan::in_downtime(u) || row.at == state::entering_maintenance;
            u.step_started_at = w.now;
            auto r = run(row.at);
            ASSERT_TRUE(done(r)) << to_string(row.at) << ": " << why(r);
            const auto made = static_cast<int>(w.requests.size() - before);
            const bool after = u.downtime.ended.has_value() && row.at != state::leaving_maintenance;
            calls_by_phase[after ? "after" : down_before ? "in" : "before"] += made;
        }
    }
    int total() const {
        int n = 0;
        for (const auto& [phase, calls] : calls_by_phase) {
            n += calls;
        }
        return n;
    }
};

TEST_F(whole_upgrade, with_a_one_hour_restore_costs_at_most_60_calls) {
    w.formation[2].quantity = 1; // a release phase
    w.release_takes = 2s;
    w.transfer_pending = 500ms;
    w.transfer_takes = 10s;
    w.restore_takes = 1h;
    run_all();
    std::cout << "[ calls    ] 1-hour restore: " << total() << " (before "
              << calls_by_phase["before"] << ", in " << calls_by_phase["in"] << ", after "
              << calls_by_phase["after"] << ")\n";
    EXPECT_LE(total(), 60);
    ASSERT_TRUE(u.downtime.began && u.downtime.ended);
    // Heroku's own time (10.5 s + 1 h 0.5 s) and the release phase are most of the downtime.
    const auto down = *u.downtime.ended - *u.downtime.began;
    EXPECT_LE(down - (10'500ms + 1h + 500ms + 2s), 2s);
}

TEST_F(whole_upgrade, with_a_one_minute_restore) {
    w.formation[2].quantity = 1;
    w.release_takes = 2s;
    w.transfer_pending = 500ms;
    w.transfer_takes = 10s;
    w.restore_takes = 1min;
    run_all();
    std::cout << "[ calls    ] 1-minute restore: " << total() << " (before "
              << calls_by_phase["before"] << ", in " << calls_by_phase["in"] << ", after "
              << calls_by_phase["after"] << ")\n";
    EXPECT_LE(total(), 60);
}

// --- restoring ----------------------------------------------------------------------------------

struct restoring : plans {
    void SetUp() override {
        u = upgrade_in(state::capturing, w);
        provisioned();
        u.downtime.began = w.now;
        ASSERT_TRUE(done(run(state::capturing)));
        w.writes.clear();
        w.requests.clear();
        w.requested_at.clear();
        u.step_started_at = w.now;
    }
};

TEST_F(restoring, fresh_restores_with_the_sources_extensions) {
    auto r = run(state::restoring);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(w.writes, strings{"restore"});
    EXPECT_EQ(u.restore_uuid, "xfer-2");
    EXPECT_TRUE(committed(r, "started restore r2"));
}

TEST_F(restoring, extensions_chosen_before_the_downtime_are_not_read_again) {
    u.restore_extensions = {"pg_trgm"};
    u.restore_extensions_reason = "pg_trgm (installed on the source)";
    auto r = run(state::restoring);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(count("read_extensions"), 0);
    EXPECT_EQ(count("get_config_vars"), 0);
    EXPECT_TRUE(committed(r, "restore")) << "started";
    EXPECT_GT(u.downtime.restore_ms, 0);
}

TEST_F(restoring, a_one_hour_restore_in_the_downtime_costs_at_most_60_calls) {
    w.transfer_takes = 1h;
    w.now += 1h; // the world's backup, made with 10 s, stays finished under the new length
    auto r = run(state::restoring);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_LE(static_cast<int>(w.requests.size()), 60) << "every request of the step";
    EXPECT_LE(w.now - (*w.transfers.back().created_at + 1h), 100ms) << "noticed late";
    for (auto gap : gaps(w, "get_transfer")) {
        EXPECT_LE(gap, opts.poll_max);
    }
}

TEST_F(restoring, a_transfer_slower_than_its_estimate_is_not_asked_every_few_milliseconds) {
    w.transfer_takes = 10s;
    w.transfer_tail = 1min; // every byte in 10 s, then a minute building indexes
    w.now += 2min;          // the backup stays finished under the new length
    auto r = run(state::restoring);
    ASSERT_TRUE(done(r));
    auto g = gaps(w, "get_transfer");
    ASSERT_FALSE(g.empty());
    // The first gap is the backup's read before the restore's first poll.
    for (std::size_t i = 1; i < g.size(); ++i) {
        EXPECT_GE(g[i], 25ms) << "poll " << i;
    }
    EXPECT_LE(count("get_transfer"), 40);
}

TEST_F(restoring, resumed_after_its_intent_adopts_the_restore) {
    ASSERT_TRUE(done(run(state::restoring)));
    u.restore_uuid.clear();
    w.writes.clear();
    auto r = run(state::restoring);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_TRUE(w.writes.empty()) << "never restores twice";
    EXPECT_TRUE(committed(r, "adopted restore r2"));
}

TEST_F(restoring, resumed_after_its_identity_only_follows) {
    ASSERT_TRUE(done(run(state::restoring)));
    w.writes.clear();
    w.requests.clear();
    w.requested_at.clear();
    ASSERT_TRUE(done(run(state::restoring)));
    EXPECT_TRUE(w.writes.empty());
    EXPECT_EQ(count("get_config_vars"), 0);
}

TEST_F(restoring, a_restore_heroku_failed_fails_for_good) {
    w.transfer_fails = true;
    auto r = run(state::restoring);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
}

TEST_F(restoring, a_backup_whose_outcome_heroku_does_not_say_yet_is_asked_again) {
    fault<rq::get_transfer>(garbage());
    auto r = run(state::restoring);
    ASSERT_TRUE(failed(r));
    EXPECT_TRUE(failed(r)->retryable);
    EXPECT_TRUE(w.writes.empty());
}

// --- verifying, promoting, confirming -----------------------------------------------------------

struct switching : plans {
    void SetUp() override {
        u = upgrade_in(state::provisioning, w);
        provisioned();
        in_maintenance_scaled_down();
    }
};

TEST_F(switching, verifying_same_counts_is_done_and_a_difference_is_final) {
    ASSERT_TRUE(done(run(state::verifying)));
    w.tables_match = false;
    auto r = run(state::verifying);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
}

TEST_F(switching, promoting_fresh_keeps_an_alias_then_moves_database_once) {
    auto r = run(state::promoting);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(w.writes, (strings{"attach postgresql-old-1 as HEROKU_POSTGRESQL_2",
                                 "attach " + u.target_addon_name + " as DATABASE"}));
    EXPECT_EQ(u.release_before_promote, 1);
    EXPECT_TRUE(committed(r, "DATABASE is now"));
}

TEST_F(switching, promoting_resumed_after_the_promotion_does_not_promote_again) {
    ASSERT_TRUE(done(run(state::promoting)));
    w.writes.clear();
    auto r = run(state::promoting);
    ASSERT_TRUE(done(r));
    EXPECT_TRUE(w.writes.empty());
}

TEST_F(switching, promoting_watches_the_release_phase_and_reports_its_failure) {
    w.formation[2].quantity = 1; // the app has a release phase
    w.release_status = "failed";
    auto r = run(state::promoting);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
    EXPECT_NE(why(r).find("stays in maintenance"), std::string::npos) << why(r);
    w.releases.back().status = "succeeded"; // fixed and released again
    r = run(state::promoting);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_TRUE(committed(r, "Attach DATABASE"));
}

TEST_F(switching, promoting_watches_a_release_phase_tightly_in_the_downtime) {
    w.formation[2].quantity = 1; // the app has a release phase
    w.release_takes = 2s;
    auto r = run(state::promoting);
    ASSERT_TRUE(done(r)) << why(r);
    const auto& attach = w.releases.back();
    EXPECT_EQ(attach.status, "succeeded");
    EXPECT_LE(count("get_release") + count("list_releases"), 20);
    for (auto gap : gaps(w, "get_release")) {
        // poll_min at first, then a sixth of the wait: at most 2 s / 6 here.
        EXPECT_LE(gap, 334ms) << "the app is down: the release phase is watched tightly";
    }
}

TEST_F(switching, promoting_an_answer_without_database_is_read_again) {
    fault<rq::list_attachments>(garbage());
    auto r = run(state::promoting);
    ASSERT_TRUE(failed(r));
    EXPECT_TRUE(failed(r)->retryable);
    EXPECT_TRUE(w.writes.empty());
}

TEST_F(switching, confirming_after_the_promotion_and_not_before) {
    auto r = run(state::confirming);
    ASSERT_TRUE(failed(r));
    EXPECT_FALSE(failed(r)->retryable);
    ASSERT_TRUE(done(run(state::promoting)));
    r = run(state::confirming);
    EXPECT_TRUE(done(r)) << why(r);
}

// --- removing_source, rolling_back ---------------------------------------------------------------

TEST_F(switching, removing_source_destroys_it_once_and_waits_until_gone) {
    ASSERT_TRUE(done(run(state::promoting)));
    w.writes.clear();
    auto r = run(state::removing_source);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(w.writes, strings{"destroy postgresql-old-1"});
    w.writes.clear();
    ASSERT_TRUE(done(run(state::removing_source)));
    EXPECT_TRUE(w.writes.empty()) << "gone is done";
}

TEST_F(switching, removing_source_owned_by_another_app_leaves_it) {
    w.addons["src-id"].app = {"other-id", "owner-app"};
    u.source_app.clear(); // recorded before owners were known: read at destroy time
    auto r = run(state::removing_source);
    ASSERT_TRUE(done(r));
    EXPECT_TRUE(w.writes.empty());
    EXPECT_TRUE(committed(r, "not removed: owned by owner-app"));
}

TEST_F(switching, rolling_back_undoes_what_was_recorded_in_reverse) {
    u.restore_uuid = "xfer-9";
    auto r = run(state::rolling_back);
    ASSERT_TRUE(done(r)) << why(r);
    EXPECT_EQ(w.writes, (strings{"cancel transfer", "scale worker=2", "maintenance off",
                                 "destroy " + u.target_addon_name}));
    w.writes.clear();
    r = run(state::rolling_back);
    ASSERT_TRUE(done(r));
    EXPECT_EQ(w.writes, (strings{"cancel transfer", "scale worker=2", "maintenance off"}))
        << "resumed: idempotent writes go again; the destroyed target is gone";
}

TEST_F(switching, rolling_back_keeps_the_target_when_asked) {
    u.request.keep_target_on_rollback = true;
    ASSERT_TRUE(done(run(state::rolling_back)));
    EXPECT_EQ(w.addons["tgt-id"].state, "provisioned");
}

// --- the registry -------------------------------------------------------------------------------

TEST(procedure, every_state_has_one_row_and_only_terminal_states_lack_a_plan) {
    for (state s : all_states) {
        const auto& row = row_of(s);
        EXPECT_EQ(row.at, s);
        EXPECT_EQ(row.plan == nullptr, is_terminal(s)) << to_string(s);
        EXPECT_EQ(row.in == phase::finished, is_terminal(s)) << to_string(s);
    }
    EXPECT_EQ(procedure().size(), all_states.size());
}

// --- every step ------------------------------------------------------------------------------

// A step's starting point: an upgrade at `s` with what the steps before it recorded, and the
// world as they left it.
struct every_step : plans, ::testing::WithParamInterface<state> {
    void SetUp() override {
        const state s = GetParam();
        u = upgrade_in(state::provisioning, w);
        provisioned();
        if (s == state::pending) {
            u.source_addon_id.clear();
        }
        if (s == state::provisioning) {
            u.target_addon_id.clear();
            u.target_addon_name.clear();
            w.addons.erase("tgt-id");
        }
        if (s > state::scaling_down && s != state::rolling_back) {
            in_maintenance_scaled_down();
        }
        if (s == state::restoring || s == state::verifying || s > state::verifying) {
            u.current = state::capturing;
            ASSERT_TRUE(done(run(state::capturing)));
        }
        if (s > state::promoting && s != state::rolling_back) {
            ASSERT_TRUE(done(run(state::restoring)));
            ASSERT_TRUE(done(run(state::promoting)));
        }
        w.writes.clear();
        w.requests.clear();
        w.requested_at.clear();
        u.step_started_at = w.now;
    }
};

std::vector<state> steps() {
    std::vector<state> out;
    for (const procedure_row& row : procedure()) {
        if (row.plan != nullptr && row.at != state::awaiting_window) {
            out.push_back(row.at);
        }
    }
    return out;
}

// Heroku says nothing useful: every answer is unreadable. The step ends (it never polls
// forever), retryably, and nothing was written on Heroku.
TEST_P(every_step, heroku_saying_nothing_useful_ends_the_attempt_retryably) {
    u.request.remove_source_after = std::chrono::seconds(0);
    w.fault = [](const plan::request& r) -> std::optional<heroku::api_error> {
        if (std::holds_alternative<rq::compare_tables>(r) ||
            std::holds_alternative<rq::read_extensions>(r)) {
            return std::nullopt;
        }
        return garbage();
    };
    auto r = run(GetParam());
    ASSERT_TRUE(failed(r)) << to_string(GetParam()) << ": " << why(r);
    EXPECT_TRUE(failed(r)->retryable) << why(r);
    EXPECT_TRUE(w.writes.empty());
}

// Run again once done (a crash right after the step's last commit): nothing new happens but
// what is idempotent by nature (a PATCH to the same values, a cancel of a cancelled restore).
TEST_P(every_step, running_again_once_done_makes_no_second_side_effect) {
    u.request.remove_source_after = std::chrono::seconds(0);
    auto first = run(GetParam());
    ASSERT_TRUE(done(first)) << to_string(GetParam()) << ": " << why(first);
    auto writes_once = w.writes;
    w.writes.clear();
    auto again = run(GetParam());
    ASSERT_TRUE(done(again)) << why(again);
    for (const std::string& write : w.writes) {
        const bool idempotent = write.starts_with("maintenance") || write.starts_with("scale") ||
                                write == "cancel transfer";
        EXPECT_TRUE(idempotent) << to_string(GetParam()) << " did again: " << write;
    }
}

INSTANTIATE_TEST_SUITE_P(plans, every_step, ::testing::ValuesIn(steps()),
                         [](const auto& info) { return std::string(to_string(info.param)); });

} // namespace
} // namespace pgshift::testing
