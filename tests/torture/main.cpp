// pgshift-torture: upgrades under seeded SIGKILLs and Heroku faults, every invariant checked.
#include "tests/torture/options.hpp"
#include "tests/torture/processes.hpp"
#include "tests/torture/trial.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace {

using namespace pgshift;

// pgshiftd built with PGSHIFT_CRASH_POINTS dies at a named point when told: kills can then hit
// the instants between a Heroku call and its commit. The plans differ with it (README.md).
constexpr bool crash_points = PGSHIFT_TORTURE_CRASH_POINTS;
using namespace pgshift::torture;

// Everything printed goes to stdout and, with --report, to the report file as well.
class output {
public:
    explicit output(const std::optional<std::filesystem::path>& report) {
        if (report) {
            file_.open(*report, std::ios::trunc);
            if (!file_) {
                throw std::runtime_error("cannot write the report " + report->string());
            }
        }
    }
    void line(const std::string& text) {
        std::cout << text << std::endl;
        if (file_.is_open()) {
            file_ << text << std::endl;
        }
    }

private:
    std::ofstream file_;
};

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", s);
    return buf;
}

std::string reproduce(const options& o, int index) {
    std::ostringstream cmd;
    cmd << "pgshift-torture --seed " << o.seed << " --only " << index << " --fault-rate "
        << o.fault_rate;
    return cmd.str();
}

struct totals {
    int trials = 0, passed = 0, kills = 0, crash_point_kills = 0, faults_fired = 0, rolled_back = 0;
    std::vector<double> durations;
};

int run(const options& o) {
    output out(o.report);
    const auto root = o.work_dir.value_or(std::filesystem::temp_directory_path() /
                                          ("pgshift-torture-" + std::to_string(::getpid())));
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
    std::optional<testing::emulator> emu;
    int emulators = 0;

    std::vector<int> indices;
    for (int i = o.only.value_or(0); i < (o.only ? *o.only + 1 : o.trials); ++i) {
        indices.push_back(i);
    }
    totals t;
    out.line("torture: seed=" + std::to_string(o.seed) + " trials=" +
             std::to_string(indices.size()) + " fault-rate=" + std::to_string(o.fault_rate) +
             (crash_points ? "" : " (pgshiftd without crash points: timed kills only)"));
    for (int index : indices) {
        // The emulator is test equipment: if something killed it, the trial it died in fails,
        // the next ones get a new one, and the summary says so.
        if (!emu || !child_running(HEROKU_EMULATOR_BIN)) {
            if (emu) {
                out.line("heroku-emulator is gone (not pgshiftd's doing): starting another");
            }
            emu.reset();
            emu.emplace(root / ("emulator-" + std::to_string(++emulators)));
        }
        const trial_plan plan = make_plan(o.seed, index, o.fault_rate, crash_points);
        const auto dir = root / ("trial-" + std::to_string(index));
        trial_result r;
        try {
            r = run_trial(*emu, plan, dir);
        } catch (const std::exception& e) {
            r.problems.push_back(std::string("the trial could not run: ") + e.what());
        }
        const bool pass = r.problems.empty();
        ++t.trials;
        t.passed += pass ? 1 : 0;
        t.kills += r.kills;
        t.crash_point_kills += r.crash_point_kills;
        t.faults_fired += r.faults_fired;
        t.rolled_back += r.final_state == "rolled_back" ? 1 : 0;
        t.durations.push_back(r.seconds);
        out.line("trial " + std::to_string(index) + (pass ? " PASS " : " FAIL ") +
                 (r.final_state.empty() ? "?" : r.final_state) + " " + seconds(r.seconds) +
                 " kills=" + std::to_string(r.kills) + " fired=" + std::to_string(r.faults_fired) +
                 " | " + describe(plan));
        for (const auto& problem : r.problems) {
            out.line("  violation: " + problem);
        }
        if (!pass) {
            out.line("  reproduce: " + reproduce(o, index) + "  (kept: " + dir.string() + ")");
        } else if (!o.keep) {
            std::filesystem::remove_all(dir);
        }
    }
    std::sort(t.durations.begin(), t.durations.end());
    const double median = t.durations.empty() ? 0 : t.durations[t.durations.size() / 2];
    const double max = t.durations.empty() ? 0 : t.durations.back();
    out.line("summary: seed=" + std::to_string(o.seed) + " trials=" + std::to_string(t.trials) +
             " passed=" + std::to_string(t.passed) +
             " rolled_back=" + std::to_string(t.rolled_back) + " kills=" + std::to_string(t.kills) +
             " at_crash_points=" + std::to_string(t.crash_point_kills) +
             " faults_fired=" + std::to_string(t.faults_fired) + " median=" + seconds(median) +
             " max=" + seconds(max) + " emulators=" + std::to_string(emulators));
    const bool all_passed = t.passed == t.trials;
    if (all_passed && !o.keep && !o.work_dir) {
        std::filesystem::remove_all(root); // the emulator's directory with it
    }
    return all_passed ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (!parsed) {
        std::cerr << (parsed.err().help ? "" : "pgshift-torture: " + parsed.err().message + "\n")
                  << usage();
        return parsed.err().help ? 0 : 2;
    }
    try {
        return run(*parsed);
    } catch (const std::exception& e) {
        std::cerr << "pgshift-torture: " << e.what() << "\n";
        return 2;
    }
}
