// Running the built pgshift binary in CLI process tests: to completion, output captured.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pgshift::testing {

struct run_result {
    int code = -1; // -1: killed, or still running after 30 s (a test failure is added)
    std::string out;
    std::string err;
};

// Runs argv (and extra "NAME=value" environment) to completion. $PGSHIFT_API and
// $PGSHIFT_API_TOKEN_FILE of the operator running the tests are not passed on; pgshift polls
// every 20 ms.
run_result run_pgshift_command(std::vector<std::string> args, std::vector<std::string> env = {});

// Runs the pgshift under test (PGSHIFT_CLI_BIN) with args, as run_pgshift_command.
run_result run_pgshift(std::vector<std::string> args, std::vector<std::string> env = {});

bool contains(const std::string& text, const std::string& needle);

// A loopback port nothing listens on: bound once, then released.
std::uint16_t unused_port();

} // namespace pgshift::testing
