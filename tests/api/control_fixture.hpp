// The control API over loopback for tests: a store-backed backend and a running server.
#pragma once

#include "api/control_backend.hpp"
#include "api/control_routes.hpp"
#include "persistence/sqlite.hpp"
#include "persistence/upgrade_store.hpp"
#include "tests/api/server_fixture.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace pgshift::testing {

// A control_backend over a real upgrade_store: start and commands go through decide() as
// the engine's do, but no worker runs; tests move upgrades with advance()/fail().
class store_backend final : public api::control_backend {
public:
    store_backend(sqlite::database& db, persistence::upgrade_store& store)
        : db_(db)
        , store_(store) {}

    result<upgrade> start(upgrade_request request,
                          std::optional<std::string> idempotency_key) override;
    result<upgrade> command(std::string_view id, pgshift::command c) override;
    result<upgrade> get(std::string_view id) override { return store_.get(id); }
    std::optional<upgrade> find_by_idempotency_key(std::string_view key) override {
        return store_.find_by_idempotency_key(key);
    }
    persistence::upgrade_page list(const persistence::list_filter& f) override {
        return store_.list(f);
    }
    std::vector<event_record> events(std::string_view id, std::int64_t after,
                                     std::size_t limit) override {
        return store_.events(id, after, limit);
    }
    std::vector<persistence::step_timing> timings(std::string_view id) override;
    std::optional<waiting_status> waiting(std::string_view id) override {
        const auto it = waiting_for.find(id);
        return it == waiting_for.end() ? std::nullopt : std::optional(it->second);
    }
    bool ready() const override { return ready_; }
    api::metrics_snapshot metrics() override;
    std::optional<std::uint64_t> revision(std::string_view id) override {
        return store_.revision(id);
    }

    // The worker's side: the current step is done (step_done), or failed for good.
    result<upgrade> advance(std::string_view id);
    result<upgrade> fail(std::string_view id, std::string message);

    bool ready_ = true;
    bool throw_on_get = false; // get() throws, to test the generic 500
    // What the scheduler would say, by upgrade id.
    std::map<std::string, waiting_status, std::less<>> waiting_for;

private:
    time_point tick(); // a clock that moves one second per call
    result<upgrade> apply(std::string_view id, const input& in);

    sqlite::database& db_;
    persistence::upgrade_store& store_;
    time_point now_{std::chrono::seconds(1'795'000'000)};
    int next_id_ = 1;
};

// Rows, versions and history entries: equal before and after means nothing changed.
struct store_fingerprint {
    std::int64_t upgrades = 0;
    std::int64_t version_sum = 0;
    std::int64_t events = 0;
    bool operator==(const store_fingerprint&) const = default;
};

// A temp SQLite file, the store, the backend and the control API on a loopback server.
class control_harness {
public:
    explicit control_harness(api::control_options options = {}, std::string address = "127.0.0.1",
                             std::function<void(http::server_options&)> tune = {});
    ~control_harness();

    std::uint16_t port() const { return server_->port(); }
    const std::string& dir() const { return dir_.path(); }
    // Runs f on the loop thread (the only thread that may touch the store) and waits; an
    // exception f throws is rethrown here, not on the loop.
    void on_loop(const std::function<void()>& f);
    store_backend& backend() { return backend_; }
    store_fingerprint fingerprint();
    // Starts an upgrade of app through the backend; returns its id.
    std::string started(const std::string& app);
    // Moves the upgrade to the next state (on the loop); returns the new state.
    state advance(const std::string& id);
    std::vector<std::string> log_lines() const { return server_->log_lines(); }

private:
    temp_dir dir_;
    sqlite::database db_;
    persistence::upgrade_store store_;
    store_backend backend_;
    std::unique_ptr<running_server> server_;
};

} // namespace pgshift::testing
