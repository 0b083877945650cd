// The control API over loopback for tests: a store-backed backend and a running server.
#include "tests/api/control_fixture.hpp"

#include "persistence/schema.hpp"
#include "persistence/upgrade_stats.hpp"
#include "statemachine/decide.hpp"

#include <cstdio>
#include <exception>
#include <stdexcept>

namespace pgshift::testing {

time_point store_backend::tick() {
    now_ += std::chrono::seconds(1);
    return now_;
}

result<upgrade> store_backend::start(upgrade_request request,
                                     std::optional<std::string> idempotency_key) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", next_id_++);
    upgrade u;
    u.id = id;
    u.request = std::move(request);
    u.idempotency_key = std::move(idempotency_key);
    const auto now = tick();
    u.step_started_at = now;
    return store_.create(std::move(u), now);
}

result<upgrade> store_backend::apply(std::string_view id, const input& in) {
    auto current = store_.get(id);
    if (!current) {
        return current.err();
    }
    const auto now = tick();
    auto d = decide(*current, in, now);
    if (!d) {
        return d.err();
    }
    return store_.transition(d->next, {d->entry, d->detail}, now);
}

result<upgrade> store_backend::command(std::string_view id, pgshift::command c) {
    return apply(id, c);
}

result<upgrade> store_backend::advance(std::string_view id) {
    return apply(id, step_done{});
}

result<upgrade> store_backend::fail(std::string_view id, std::string message) {
    return apply(id, step_error{std::move(message), false});
}

std::vector<persistence::step_timing> store_backend::timings(std::string_view id) {
    if (throw_on_get) {
        throw std::runtime_error("secret detail: disk on fire");
    }
    return persistence::step_timings(db_, id);
}

api::metrics_snapshot store_backend::metrics() {
    api::metrics_snapshot m;
    m.upgrades_by_state = persistence::count_by_state(db_);
    m.step_durations = persistence::step_duration_totals(db_);
    m.heroku_requests_by_status = {{"200", 12}, {"429", 1}, {"error", 2}};
    m.rate_budget_remaining = 4391;
    return m;
}

control_harness::control_harness(api::control_options options, std::string address,
                                 std::function<void(http::server_options&)> tune)
    : db_(dir_.path() + "/pgshift.db")
    , store_(db_)
    , backend_(db_, store_) {
    persistence::migrate(db_);
    auto so = api::control_server_options(std::move(address), 0);
    so.idle_timeout = std::chrono::seconds(2); // slow clients are cut quickly in tests
    if (tune) {
        tune(so);
    }
    // The handler needs the server's io_context, which exists only once the server does.
    auto slot = std::make_shared<http::handler>();
    server_ = std::make_unique<running_server>([slot](http::request& req) { return (*slot)(req); },
                                               std::move(so));
    server_->on_loop(
        [&] { *slot = api::make_control_handler(server_->io(), backend_, std::move(options)); });
}

control_harness::~control_harness() {
    server_.reset(); // joins the loop thread before the store and the file go
}

void control_harness::on_loop(const std::function<void()>& f) {
    std::exception_ptr failure;
    server_->on_loop([&] {
        try {
            f();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    if (failure) {
        std::rethrow_exception(failure);
    }
}

store_fingerprint control_harness::fingerprint() {
    store_fingerprint f;
    on_loop([&] {
        sqlite::statement a(db_, "SELECT COUNT(*), COALESCE(SUM(version), 0) FROM upgrades");
        a.step();
        f.upgrades = a.int64(0);
        f.version_sum = a.int64(1);
        sqlite::statement b(db_, "SELECT COUNT(*) FROM events");
        b.step();
        f.events = b.int64(0);
    });
    return f;
}

std::string control_harness::started(const std::string& app) {
    std::string id;
    on_loop([&] {
        upgrade_request r;
        r.app = app;
        r.plan = "heroku-postgresql:standard-0";
        auto u = backend_.start(r, std::nullopt);
        if (!u) {
            throw std::runtime_error("start failed: " + u.err().message);
        }
        id = u->id;
    });
    return id;
}

state control_harness::advance(const std::string& id) {
    state now = state::pending;
    on_loop([&] {
        auto u = backend_.advance(id);
        if (!u) {
            throw std::runtime_error("advance failed: " + u.err().message);
        }
        now = u->current;
    });
    return now;
}

} // namespace pgshift::testing
