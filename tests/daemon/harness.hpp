// Integration harness: the real heroku-emulator (real PostgreSQL behind it) and pgshiftd.
#pragma once

#include "persistence/upgrade_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::testing {

using json = nlohmann::json;

inline constexpr const char* emulator_token = "harness-token";

// heroku-emulator --postgres <the shared test cluster>, on an ephemeral loopback port.
class emulator {
public:
    explicit emulator(const std::filesystem::path& work_dir);
    std::string url() const { return url_; }

    // /_emulator/… calls; throws std::runtime_error on a non-2xx answer.
    json control(const std::string& method, const std::string& path, const json& body = {});
    // Heroku paths with the Bearer token; throws on a non-2xx answer.
    json heroku(const std::string& method, const std::string& path);

    void fast_timings(); // provisioning and transfers in tenths of seconds
    // An app on essential-0 with `sql` loaded, formation as given, pooler and release phase.
    json seed_app(const std::string& name, const std::string& formation, const std::string& sql,
                  bool pooler = true, bool release_phase = true);
    std::map<std::string, int> ledger_counts(const std::string& app); // kind -> count
    std::string config_var(const std::string& app, const std::string& name);
    json fault(const json& rule); // POST /_emulator/faults

private:
    std::unique_ptr<child_process> process_;
    std::unique_ptr<http_client> client_;
    std::string url_;
    std::uint16_t port_ = 0;
};

struct daemon_run {
    exit_status status;
    std::string out, err;
};

// pgshiftd's command line pointed at the emulator, polling fast, its API on an ephemeral
// port, then `args`.
std::vector<std::string> daemon_argv(const emulator& emu, const std::filesystem::path& state_dir,
                                     const std::vector<std::string>& args = {});

// Runs pgshiftd against the emulator until it exits (--exit-when-idle) or `limit` passes
// (then it is killed and status.exited is false with signal SIGKILL).
daemon_run run_daemon(const emulator& emu, const std::filesystem::path& state_dir,
                      std::vector<std::string> args, std::vector<std::string> env = {},
                      std::chrono::seconds limit = std::chrono::seconds(120));

// pgshiftd serving its control API on an ephemeral loopback port until stopped (SIGKILLed
// when destroyed still running). args come after the harness's own (emulator URLs, fast
// polling); the token is passed in the environment.
class daemon_process {
public:
    daemon_process(const emulator& emu, const std::filesystem::path& state_dir,
                   std::vector<std::string> args = {}, std::vector<std::string> env = {});
    std::uint16_t port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    http_client& api() { return *client_; } // to 127.0.0.1:port(), kept alive
    // Sends sig and waits up to limit; nullopt if it is still running then.
    std::optional<exit_status> stop(int sig, std::chrono::seconds limit);
    std::string err() const { return process_->err(); }

private:
    std::unique_ptr<child_process> process_;
    std::unique_ptr<http_client> client_;
    std::uint16_t port_ = 0;
};

// A fresh (emptied) directory for one test, under the temporary directory; removed when the
// test program ends, unless a test failed (remove_at_exit).
std::filesystem::path work_dir(const std::string& name);

// The app's formation as the emulator reports it: type -> quantity.
std::map<std::string, int> formation_of(emulator& emu, const std::string& app);

// Records an upgrade of `app` in the state directory, as the control API's start does,
// for pgshiftd to pick up when it starts (pgshiftd must not be running). Returns its id.
std::string enqueue_upgrade(const std::filesystem::path& state_dir, const std::string& app,
                            const std::string& plan,
                            std::optional<std::string> version = std::nullopt);
// The same with a whole request.
std::string enqueue_upgrade(const std::filesystem::path& state_dir, upgrade_request request);

// The upgrades stored in a state directory (pgshiftd must not be running).
std::vector<upgrade> stored_upgrades(const std::filesystem::path& state_dir);

// The history of one upgrade (pgshiftd must not be running).
std::vector<event_record> stored_events(const std::filesystem::path& state_dir,
                                        const std::string& id);

// What is wrong with a finished upgrade's history of effects, "" when nothing: every Heroku
// write requested with the next effect id (1, 2, 3 …) and completed exactly once, after its
// request, by an effect_recorded or effect_failed with the same id; no outcome unrequested.
std::string effect_history_problems(const std::vector<event_record>& events);

// Three tables (a sequence, an index, a foreign key), `rows` orders in all.
std::string sample_sql(int rows);

} // namespace pgshift::testing
