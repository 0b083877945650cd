// pg_cluster: a throwaway PostgreSQL cluster for tests (scripts/pg-cluster), RAII.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pgshift::testing {

struct command_result {
    int exit_code = -1; // -1 when killed by a signal
    std::string out, err;
};

// Runs argv[0] (a path, no shell) to completion, capturing stdout and stderr.
// Throws std::system_error when it cannot be started.
command_result run_command(const std::vector<std::string>& argv);

// <source dir>/scripts/pg-cluster.
std::filesystem::path pg_cluster_script();

// Copies scripts/pg-cluster into `dir` (mode 0755) and returns the copy's path: another user
// may not be able to traverse the checkout (a clone under a 0700 home such as /root).
// Throws std::filesystem::filesystem_error.
std::filesystem::path copy_pg_cluster_script(const std::filesystem::path& dir);

class pg_cluster {
public:
    // Starts a cluster in a fresh temporary directory. Throws std::runtime_error carrying
    // the script's stderr when it fails (PostgreSQL missing included), or when its stdout is
    // not exactly one line: tests fail, never skip.
    pg_cluster();
    pg_cluster(const pg_cluster&) = delete;
    pg_cluster& operator=(const pg_cluster&) = delete;
    // Stops the server and removes its directories; failures are printed, not thrown.
    ~pg_cluster();

    // postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres
    const std::string& admin_url() const noexcept { return admin_url_; }
    const std::filesystem::path& directory() const noexcept { return dir_; }

private:
    std::filesystem::path dir_;
    std::string admin_url_;
};

// One cluster per test binary, started on first use and stopped at exit. Throws as
// pg_cluster() does (and again on every later call).
pg_cluster& shared_cluster();

// The admin URL every test should use. In order: PGSHIFT_TEST_ADMIN_URL (a server of your
// own), PGSHIFT_TEST_CLUSTER_DIR (a cluster ctest started as a fixture: its admin_url file,
// so one cluster serves every test process), else shared_cluster(). Throws
// std::runtime_error when the chosen source fails.
const std::string& shared_admin_url();

} // namespace pgshift::testing
