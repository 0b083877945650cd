// Integration harness: the real heroku-emulator (real PostgreSQL behind it) and pgshiftd.
#include "tests/daemon/harness.hpp"

#include "persistence/schema.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/remove_at_exit.hpp"

#include <map>
#include <random>
#include <signal.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace pgshift::testing {
namespace {

json checked(const http_reply& r, const std::string& what) {
    if (r.status < 200 || r.status >= 300) {
        throw std::runtime_error(what + ": HTTP " + std::to_string(r.status) + " " + r.body);
    }
    return r.body.empty() ? json() : json::parse(r.body);
}

} // namespace

emulator::emulator(const std::filesystem::path& work_dir) {
    std::filesystem::create_directories(work_dir);
    process_ = std::make_unique<child_process>(
        std::vector<std::string>{HEROKU_EMULATOR_BIN, "--port", "0", "--token", emulator_token,
                                 "--postgres", shared_admin_url(), "--state-dir",
                                 (work_dir / "emulator").string()},
        std::vector<std::string>{}, work_dir / "emulator.out", work_dir / "emulator.err");
    for (int i = 0; i < 500 && url_.empty(); ++i) {
        std::string out = process_->out();
        if (auto at = out.find("listening ");
            at != std::string::npos && out.find('\n', at) != std::string::npos) {
            url_ = out.substr(at + 10, out.find('\n', at) - at - 10);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    if (url_.empty()) {
        throw std::runtime_error("heroku-emulator did not start: " + process_->err());
    }
    port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
    client_ = std::make_unique<http_client>("127.0.0.1", port_);
    client_->set_timeout(std::chrono::seconds(30));
}

json emulator::control(const std::string& method, const std::string& path, const json& body) {
    return checked(client_->request(method, path, body.is_null() ? "" : body.dump(),
                                    {{"Content-Type", "application/json"}}),
                   method + " " + path);
}

json emulator::heroku(const std::string& method, const std::string& path) {
    return checked(client_->request(method, path, "",
                                    {{"Authorization", std::string("Bearer ") + emulator_token},
                                     {"Accept", "application/vnd.heroku+json; version=3"}}),
                   method + " " + path);
}

void emulator::fast_timings() {
    control("PUT", "/_emulator/timings",
            {{"provisioning_ms", 300},
             {"wait_status_404_ms", 200},
             {"waiting_ms", 200},
             {"transfer_pending_ms", 300},
             {"release_phase_ms", 300}});
}

json emulator::seed_app(const std::string& name, const std::string& formation,
                        const std::string& sql, bool pooler, bool release_phase) {
    return control("POST", "/_emulator/apps",
                   {{"name", name},
                    {"plan", "heroku-postgresql:essential-0"},
                    {"formation", formation},
                    {"sql", sql},
                    {"pooler", pooler},
                    {"release_phase", release_phase}});
}

std::map<std::string, int> emulator::ledger_counts(const std::string& app) {
    std::map<std::string, int> counts;
    for (const json& e : control("GET", "/_emulator/ledger")) {
        if (e.value("app", "") == app) {
            ++counts[e.value("kind", "")];
        }
    }
    return counts;
}

std::string emulator::config_var(const std::string& app, const std::string& name) {
    json vars = heroku("GET", "/apps/" + app + "/config-vars");
    return vars.contains(name) ? vars[name].get<std::string>() : std::string();
}

json emulator::fault(const json& rule) {
    return control("POST", "/_emulator/faults", rule);
}

std::vector<std::string> daemon_argv(const emulator& emu, const std::filesystem::path& state_dir,
                                     const std::vector<std::string>& args) {
    std::vector<std::string> argv{PGSHIFTD_BIN,
                                  "--state-dir",
                                  state_dir.string(),
                                  "--platform-url",
                                  emu.url(),
                                  "--data-url",
                                  emu.url(),
                                  "--poll-ms",
                                  "100",
                                  "--progress-ms",
                                  "200",
                                  "--backoff-ms",
                                  "100",
                                  "--listen",
                                  "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

daemon_process::daemon_process(const emulator& emu, const std::filesystem::path& state_dir,
                               std::vector<std::string> args, std::vector<std::string> env) {
    env.push_back(std::string("HEROKU_API_KEY=") + emulator_token);
    std::filesystem::create_directories(state_dir);
    // A previous run's log would show its port: keep it aside instead.
    for (const char* name : {"pgshiftd.out", "pgshiftd.err"}) {
        if (std::filesystem::exists(state_dir / name)) {
            std::filesystem::rename(state_dir / name, state_dir / (std::string(name) + ".1"));
        }
    }
    process_ =
        std::make_unique<child_process>(daemon_argv(emu, state_dir, args), env,
                                        state_dir / "pgshiftd.out", state_dir / "pgshiftd.err");
    const std::string needle = "listening on http://127.0.0.1:";
    for (int i = 0; i < 500 && port_ == 0; ++i) {
        std::string err = process_->err();
        auto at = err.find(needle);
        if (at != std::string::npos && err.find('\n', at) != std::string::npos) {
            port_ = static_cast<std::uint16_t>(std::stoi(err.substr(at + needle.size())));
        } else if (process_->wait_for(std::chrono::milliseconds(20))) {
            break; // it exited: report below
        }
    }
    if (port_ == 0) {
        throw std::runtime_error("pgshiftd did not start serving: " + process_->err());
    }
    client_ = std::make_unique<http_client>("127.0.0.1", port_);
    client_->set_timeout(std::chrono::seconds(30));
}

std::optional<exit_status> daemon_process::stop(int sig, std::chrono::seconds limit) {
    process_->signal(sig);
    return process_->wait_for(limit);
}

daemon_run run_daemon(const emulator& emu, const std::filesystem::path& state_dir,
                      std::vector<std::string> args, std::vector<std::string> env,
                      std::chrono::seconds limit) {
    args.push_back("--exit-when-idle");
    auto argv = daemon_argv(emu, state_dir, args);
    env.push_back(std::string("HEROKU_API_KEY=") + emulator_token);
    std::filesystem::create_directories(state_dir);
    auto out = state_dir / "pgshiftd.out";
    auto err = state_dir / "pgshiftd.err";
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    child_process daemon(argv, env, out, err);
    daemon_run run;
    auto status = daemon.wait_for(limit);
    if (!status) {
        daemon.signal(SIGKILL);
        status = daemon.wait_for(std::chrono::seconds(10));
    }
    run.status = status.value_or(exit_status{});
    run.out = daemon.out();
    run.err = daemon.err();
    return run;
}

std::filesystem::path work_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("pgshift-daemon-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    remove_at_exit(dir); // the emulator's dumps and logs, the state directory
    return dir;
}

std::map<std::string, int> formation_of(emulator& emu, const std::string& app) {
    std::map<std::string, int> out;
    for (const json& e : emu.heroku("GET", "/apps/" + app + "/formation")) {
        out[e["type"].get<std::string>()] = e["quantity"].get<int>();
    }
    return out;
}

namespace {

// A version 4 UUID, the shape of pgshiftd's upgrade ids.
std::string random_uuid() {
    std::random_device rd;
    std::uniform_int_distribution<int> nibble(0, 15);
    std::string out;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) {
            out += '-';
        }
        int v = nibble(rd);
        v = i == 12 ? 4 : i == 16 ? (8 | (v & 3)) : v;
        out += "0123456789abcdef"[v];
    }
    return out;
}

} // namespace

std::string enqueue_upgrade(const std::filesystem::path& state_dir, const std::string& app,
                            const std::string& plan, std::optional<std::string> version) {
    upgrade_request r;
    r.app = app;
    r.plan = plan;
    r.pg_version = std::move(version);
    return enqueue_upgrade(state_dir, std::move(r));
}

std::string enqueue_upgrade(const std::filesystem::path& state_dir, upgrade_request request) {
    std::filesystem::create_directories(state_dir);
    sqlite::database db(state_dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);
    upgrade u;
    u.id = random_uuid();
    const std::string app = request.app;
    u.request = std::move(request);
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    u.step_started_at = now;
    auto created = store.create(std::move(u), now);
    if (!created) {
        throw std::runtime_error("cannot enqueue an upgrade of " + app + ": " +
                                 created.err().message);
    }
    return created->id;
}

std::vector<upgrade> stored_upgrades(const std::filesystem::path& state_dir) {
    sqlite::database db(state_dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);
    return store.list({.limit = 500}).items;
}

std::vector<event_record> stored_events(const std::filesystem::path& state_dir,
                                        const std::string& id) {
    sqlite::database db(state_dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);
    return store.events(id, 0, 100'000);
}

std::string effect_history_problems(const std::vector<event_record>& events) {
    std::string problems;
    std::map<std::int64_t, int> outcomes; // requested effect id -> outcomes seen so far
    std::int64_t next = 1;
    for (const event_record& e : events) {
        const std::string at = "event " + std::to_string(e.seq) + " (" +
                               std::string(to_string(e.type)) + " " + e.detail + "): ";
        if (e.type == event_type::effect_requested) {
            if (e.effect_id != next) {
                problems += at + "effect id " + std::to_string(e.effect_id) + ", expected " +
                            std::to_string(next) + "\n";
            }
            next = e.effect_id + 1;
            outcomes[e.effect_id] = 0;
        } else if (e.effect_id != 0) {
            auto it = outcomes.find(e.effect_id);
            if (it == outcomes.end()) {
                problems += at + "the outcome of an effect never requested\n";
            } else if (++it->second > 1) {
                problems += at + "a second outcome of effect " + std::to_string(e.effect_id) + "\n";
            }
        }
    }
    for (const auto& [id, seen] : outcomes) {
        if (seen == 0) {
            problems += "effect " + std::to_string(id) + " has no outcome\n";
        }
    }
    return problems;
}

std::string sample_sql(int rows) {
    std::string n = std::to_string(rows);
    return "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);"
           "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL "
           "REFERENCES customers (id), total numeric(10,2), placed_at timestamptz);"
           "CREATE INDEX orders_by_customer ON orders (customer_id);"
           "CREATE SEQUENCE invoice_numbers START 1000;"
           "CREATE TABLE invoices (id int PRIMARY KEY DEFAULT nextval('invoice_numbers'), "
           "order_id bigint REFERENCES orders (id));"
           "INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, " +
           std::to_string(rows / 2 + 1) +
           ") g;"
           "INSERT INTO orders (customer_id, total, placed_at) SELECT 1 + g % " +
           std::to_string(rows / 2) +
           ", g * 1.25, '2026-01-01'::timestamptz + g * interval "
           "'1 minute' FROM generate_series(1, " +
           n +
           ") g;"
           "INSERT INTO invoices (order_id) SELECT id FROM orders WHERE id % 3 = 0;";
}

} // namespace pgshift::testing
