// Who may take an app down now, and who may provision: the scheduler's two lines. Pure.
#pragma once

#include "statemachine/waiting.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace pgshift::daemon {

struct schedule_options {
    int max_downtime_concurrency = 8; // apps in maintenance at once, at most
    int provision_ahead = 16;         // new add-ons made ahead of their downtime, at most
    double downtime_calls = 60;       // set aside for one downtime until some were measured
};

// An upgrade enters maintenance only when fewer than max_downtime_concurrency apps are down
// (and fewer than its own limit, if it has one) and the rate budget has the calls its
// whole downtime is expected to make, which are then set aside for it (docs/design.md,
// "Downtime first"). The line is first come, first served by the upgrade's creation time
// (the same after a restart): one waiting for the budget holds everyone behind it, so a
// large downtime is never starved by small ones; one held by its own stricter limit does
// not. Provisioning is paced the same way: at most provision_ahead upgrades hold a new
// add-on that is not in its downtime yet, so a thousand upgrades do not create a thousand
// add-ons at once and bill them for hours.
class downtime_gate {
public:
    explicit downtime_gate(schedule_options o)
        : opts_(o) {}

    struct applicant {
        std::string id;
        time_point created_at;        // the order in line
        std::optional<int> own_limit; // the request's max_downtime_concurrency
    };

    // Asks to take the app down, with free_calls tokens of the budget not set aside now.
    // nullopt: admitted (it counts as down; set reservation() calls aside for it), or it
    // was down already. Otherwise why it waits, and its place.
    std::optional<waiting_status> ask_downtime(const applicant& a, double free_calls,
                                               time_point now);
    // Asks to create its add-on. nullopt: go ahead (it now counts as prepared).
    std::optional<waiting_status> ask_provision(const applicant& a, time_point now);

    // What the upgrade is, as its worker found it (after a restart too).
    void mark_down(const std::string& id);     // its app is down: counted, no asking
    void mark_prepared(const std::string& id); // holds a new add-on, not down yet
    // Its app is up again: its place is free. calls_used: what its downtime cost, if known.
    void up_again(const std::string& id, std::optional<std::int64_t> calls_used);
    // Its worker ended or paused: out of both lines (but still down if its app is down).
    void leave_lines(const std::string& id);
    void forget(const std::string& id); // ended: in nothing any more

    // A wait the gate does not decide (the downtime window), shown like its own.
    void set_waiting(const std::string& id, waiting_status w);
    std::optional<waiting_status> waiting(const std::string& id) const;

    bool is_down(const std::string& id) const { return down_.count(id) != 0; }
    bool is_prepared(const std::string& id) const { return prepared_.count(id) != 0; }
    std::size_t down() const { return down_.size(); }
    std::size_t prepared() const { return prepared_.size(); }
    // Calls to set aside for one downtime: what downtimes cost so far, with a margin.
    double reservation() const;
    const schedule_options& options() const { return opts_; }

private:
    using place_key = std::pair<time_point, std::string>;
    struct in_line {
        std::optional<int> own_limit;
        time_point since;
    };
    static void enqueue(std::map<place_key, in_line>& line, const applicant& a, time_point now);

    schedule_options opts_;
    std::set<std::string> down_;
    std::set<std::string> prepared_;
    std::map<place_key, in_line> downtime_line_;
    std::map<place_key, in_line> provision_line_;
    std::map<std::string, waiting_status> waiting_;
    std::optional<double> measured_calls_; // a moving average of downtimes' calls
};

} // namespace pgshift::daemon
