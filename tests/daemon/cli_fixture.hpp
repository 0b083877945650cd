// The fixture of the CLI end-to-end tests: the emulator with fast timings, a scratch
// directory per test, and `pgshift args…` run against a real pgshiftd to completion.
#pragma once

#include "tests/daemon/harness.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <memory>
#include <signal.h>
#include <string>
#include <vector>

namespace pgshift::testing {

struct cli_run {
    exit_status status;
    std::string out, err;
};

class cli_daemon_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = work_dir(std::string("cli-") +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
        emu_ = std::make_unique<emulator>(dir_);
        emu_->fast_timings();
    }

    // Runs `pgshift args…` against `api` (the daemon's URL) and waits for it (90 s at most:
    // then it is killed and the test fails).
    cli_run pgshift(const std::string& api, std::vector<std::string> args) {
        using namespace std::chrono_literals;
        args.insert(args.begin(), {PGSHIFT_CLI_BIN, "--api", api});
        const auto n = std::to_string(++runs_);
        child_process p(args, {"PGSHIFT_POLL_INTERVAL_MS=100"}, dir_ / ("cli" + n + ".out"),
                        dir_ / ("cli" + n + ".err"));
        auto status = p.wait_for(90s);
        if (!status) {
            p.signal(SIGKILL);
            ADD_FAILURE() << "pgshift did not finish within 90 s: " << p.out() << p.err();
            status = p.wait_for(5s);
        }
        return {status.value_or(exit_status{}), p.out(), p.err()};
    }

    std::filesystem::path dir_;
    std::unique_ptr<emulator> emu_;
    int runs_ = 0;
};

} // namespace pgshift::testing
