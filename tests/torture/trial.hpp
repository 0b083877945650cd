// One torture trial: seed an app, upgrade it with pgshiftd killed at planned instants, check.
#pragma once

#include "tests/daemon/harness.hpp"
#include "tests/torture/checks.hpp"
#include "tests/torture/plan.hpp"

#include <filesystem>

namespace pgshift::torture {

struct trial_result {
    violations problems; // empty: the trial passed
    std::string final_state;
    int kills = 0;             // SIGKILLs delivered (a planned kill after the end is not one)
    int crash_point_kills = 0; // of which at a crash point
    int faults_fired = 0;      // firings of the trial's rules
    double seconds = 0;        // from enqueue to the last pgshiftd's exit
};

// The emulator is shared by every trial and reset first; `dir` is the trial's own directory
// (its state directory and pgshiftd's logs).
trial_result run_trial(testing::emulator& emu, const trial_plan& p,
                       const std::filesystem::path& dir);

} // namespace pgshift::torture
