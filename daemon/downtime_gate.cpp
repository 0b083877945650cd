// The scheduler's two lines: into maintenance, and into provisioning.
#include "daemon/downtime_gate.hpp"

#include <algorithm>
#include <cmath>

namespace pgshift::daemon {
namespace {

std::string apps(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " app" : " apps");
}

} // namespace

void downtime_gate::enqueue(std::map<place_key, in_line>& line, const applicant& a,
                            time_point now) {
    const place_key key{a.created_at, a.id};
    if (auto it = line.find(key); it != line.end()) {
        it->second.own_limit = a.own_limit;
        return;
    }
    line.emplace(key, in_line{a.own_limit, now});
}

double downtime_gate::reservation() const {
    // A quarter more than the average so far: a downtime that costs more than its share
    // still goes first, but the next admission then waits for the budget to refill.
    return std::ceil(measured_calls_.value_or(opts_.downtime_calls) * 1.25);
}

std::optional<waiting_status> downtime_gate::ask_downtime(const applicant& a, double free_calls,
                                                          time_point now) {
    if (is_down(a.id)) {
        return std::nullopt;
    }
    enqueue(downtime_line_, a, now);
    const double need = reservation();
    const auto limit = static_cast<std::size_t>(std::max(1, opts_.max_downtime_concurrency));
    // Walks the line as if everyone ahead who could go went first.
    std::size_t down_then = down_.size();
    double free_then = free_calls;
    int place = 0;
    bool budget_blocked = false;
    for (auto it = downtime_line_.begin(); it != downtime_line_.end(); ++it) {
        const bool me = it->first.second == a.id;
        ++place;
        waiting_status w{wait_reason::concurrency, place, it->second.since, ""};
        if (down_then >= limit) {
            w.detail = apps(down_then) + " of " + std::to_string(limit) +
                       " in maintenance (max_downtime_concurrency)";
        } else if (it->second.own_limit &&
                   down_then >= static_cast<std::size_t>(std::max(1, *it->second.own_limit))) {
            w.detail = apps(down_then) + " in maintenance; this upgrade's own limit is " +
                       std::to_string(*it->second.own_limit);
        } else if (budget_blocked || free_then < need) {
            budget_blocked = true; // first come, first served: nobody overtakes on budget
            w.reason = wait_reason::budget;
            w.detail = "its downtime needs ~" + std::to_string(static_cast<long long>(need)) +
                       " Heroku calls set aside; " +
                       std::to_string(static_cast<long long>(std::max(0.0, free_calls))) +
                       " free now (the budget refills)";
        } else if (me) {
            downtime_line_.erase(it);
            waiting_.erase(a.id);
            mark_down(a.id);
            return std::nullopt;
        } else {
            ++down_then; // ahead of us and able to go: it goes first
            free_then -= need;
            --place;
            continue;
        }
        if (me) {
            waiting_[a.id] = w;
            return w;
        }
    }
    return std::nullopt; // not reached: a is in the line
}

std::optional<waiting_status> downtime_gate::ask_provision(const applicant& a, time_point now) {
    if (is_prepared(a.id) || is_down(a.id)) {
        return std::nullopt;
    }
    enqueue(provision_line_, a, now);
    const auto ahead = static_cast<std::size_t>(std::max(1, opts_.provision_ahead));
    std::size_t prepared_then = prepared_.size();
    int place = 0;
    for (auto it = provision_line_.begin(); it != provision_line_.end(); ++it) {
        const bool me = it->first.second == a.id;
        if (prepared_then < ahead) {
            if (me) {
                provision_line_.erase(it);
                waiting_.erase(a.id);
                mark_prepared(a.id);
                return std::nullopt;
            }
            ++prepared_then;
            continue;
        }
        ++place;
        if (me) {
            waiting_status w{wait_reason::provisioning, place, it->second.since,
                             std::to_string(prepared_then) + " new add-ons wait for their " +
                                 "downtime already (provision_ahead " + std::to_string(ahead) +
                                 ")"};
            waiting_[a.id] = w;
            return w;
        }
    }
    return std::nullopt; // not reached: a is in the line
}

void downtime_gate::mark_down(const std::string& id) {
    down_.insert(id);
    prepared_.erase(id);
}

void downtime_gate::mark_prepared(const std::string& id) {
    if (!is_down(id)) {
        prepared_.insert(id);
    }
}

void downtime_gate::up_again(const std::string& id, std::optional<std::int64_t> calls_used) {
    if (down_.erase(id) == 0) {
        return;
    }
    if (calls_used && *calls_used > 0) {
        const auto used = static_cast<double>(*calls_used);
        measured_calls_ = measured_calls_ ? 0.7 * *measured_calls_ + 0.3 * used : used;
    }
}

void downtime_gate::leave_lines(const std::string& id) {
    std::erase_if(downtime_line_, [&](const auto& e) { return e.first.second == id; });
    std::erase_if(provision_line_, [&](const auto& e) { return e.first.second == id; });
    waiting_.erase(id);
}

void downtime_gate::forget(const std::string& id) {
    leave_lines(id);
    down_.erase(id);
    prepared_.erase(id);
}

void downtime_gate::set_waiting(const std::string& id, waiting_status w) {
    waiting_[id] = std::move(w);
}

std::optional<waiting_status> downtime_gate::waiting(const std::string& id) const {
    if (auto it = waiting_.find(id); it != waiting_.end()) {
        return it->second;
    }
    return std::nullopt;
}

} // namespace pgshift::daemon
