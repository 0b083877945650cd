// The engine: starts, resumes and commands upgrades; one worker coroutine per active one.
#include "daemon/engine.hpp"

#include "daemon/worker.hpp"
#include "persistence/sqlite.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <random>

namespace pgshift::daemon {

std::string new_upgrade_id() {
    std::random_device rd;
    std::uint8_t b[16];
    for (auto& x : b) {
        x = static_cast<std::uint8_t>(rd());
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40); // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80); // RFC 4122 variant
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
}

engine::engine(boost::asio::io_context& io, persistence::upgrade_store& store,
               heroku::client& client, engine_options opts, std::function<time_point()> clock,
               logger log)
    : io_(io)
    , store_(store)
    , client_(client)
    , opts_(std::move(opts))
    , clock_(std::move(clock))
    , log_(std::move(log))
    , gate_(opts_.schedule)
    , blocking_(std::make_unique<boost::asio::thread_pool>(1)) {}

engine::~engine() {
    // A comparison in flight finishes first (its answer is posted to the loop, which still
    // exists: the engine dies before it); queued ones are dropped.
    blocking_->stop();
    blocking_->join();
}

std::size_t engine::recover() {
    auto active = store_.load_active();
    for (const upgrade& u : active) {
        log_("<6>upgrade " + u.id + " app=" + u.request.app + " resumes in " +
             std::string(to_string(u.current)));
        spawn(u.id);
    }
    return active.size();
}

result<upgrade> engine::start(upgrade_request request, std::optional<std::string> key) {
    upgrade u;
    u.id = new_upgrade_id();
    u.request = std::move(request);
    u.idempotency_key = std::move(key);
    u.step_started_at = clock_();
    auto created = store_.create(std::move(u), clock_());
    if (created) {
        log_("<6>upgrade " + created->id + " app=" + created->request.app +
             " created: " + created->request.plan);
        spawn(created->id);
    }
    return created;
}

result<upgrade> engine::command(std::string_view id, pgshift::command c) {
    // Up to five tries: a worker may commit between our read and our write.
    for (int tries = 0;; ++tries) {
        auto current = store_.get(id);
        if (!current) {
            return current.err();
        }
        auto d = decide(*current, c, clock_(), opts_.retry);
        if (!d) {
            return d.err();
        }
        auto committed = store_.transition(d->next, {d->entry, d->detail}, clock_());
        if (committed) {
            log_("<5>upgrade " + committed->id + " app=" + committed->request.app + " " +
                 std::string(to_string(c)) + " by the operator");
            if (auto w = workers_.find(id); w != workers_.end()) {
                w->second->wake.notify();
            } else if (!is_terminal(committed->current)) {
                spawn(committed->id);
            }
            return committed;
        }
        if (committed.err().code != errc::stale_version || tries > 3) {
            return committed.err();
        }
    }
}

std::optional<waiting_status> engine::waiting(std::string_view id) const {
    return gate_.waiting(std::string(id));
}

std::vector<std::pair<std::string, std::int64_t>> engine::waiting_by_reason() const {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (wait_reason r : {wait_reason::window, wait_reason::concurrency, wait_reason::budget,
                          wait_reason::provisioning}) {
        out.emplace_back(std::string(to_string(r)), 0);
    }
    for (const auto& [id, slot] : workers_) {
        if (auto w = gate_.waiting(id)) {
            for (auto& [name, n] : out) {
                n += name == to_string(w->reason) ? 1 : 0;
            }
        }
    }
    return out;
}

void engine::nudge_waiting() {
    for (auto& [id, slot] : workers_) {
        if (gate_.waiting(id)) {
            slot->wake.notify();
        }
    }
}

void engine::spawn(const std::string& id) {
    if (workers_.count(id) != 0) {
        return;
    }
    auto& slot =
        *workers_.emplace(id, std::make_unique<worker_slot>(io_.get_executor())).first->second;
    worker_env env{client_, gate_, [this] { nudge_waiting(); }, *blocking_, store_, opts_,
                   clock_,  log_};
    boost::asio::co_spawn(
        io_, run_worker(env, id, slot), [this, id, env](std::exception_ptr e) mutable {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const sqlite::error& x) {
                    log_("<2>upgrade " + id + " stopped: the state store failed (" + x.what() +
                         "); nothing more is done on Heroku; it resumes at the next start");
                } catch (const std::exception& x) {
                    log_("<3>upgrade " + id + " worker failed: " + x.what() +
                         "; it resumes at the next start");
                }
            }
            if (auto w = workers_.find(id); w != workers_.end()) {
                leave_downtime(env, id, *w->second);
            }
            gate_.forget(id);
            workers_.erase(id);
            nudge_waiting();
            if (workers_.empty() && on_idle_) {
                on_idle_();
            }
        });
}

} // namespace pgshift::daemon
