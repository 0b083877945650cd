// remove_at_exit: one registry per process, emptied by its destructor at exit.
#include "tests/support/remove_at_exit.hpp"

#include <gtest/gtest.h>
#include <iostream>
#include <mutex>
#include <set>

namespace pgshift::testing {
namespace {

class exit_registry {
public:
    void add(const std::filesystem::path& dir) {
        const std::lock_guard lock{mutex_};
        dirs_.insert(dir);
    }

    // GoogleTest's UnitTest is a static built before any test runs, so it is destroyed after
    // this registry (built on first use, inside a test) and can still say how the run went.
    ~exit_registry() {
        bool passed = ::testing::UnitTest::GetInstance()->Passed();
        for (const auto& dir : dirs_) {
            if (!passed) {
                std::cerr << "a test failed: kept " << dir << " for inspection\n";
                continue;
            }
            std::error_code ignored;
            std::filesystem::remove_all(dir, ignored);
        }
    }

private:
    std::mutex mutex_;
    std::set<std::filesystem::path> dirs_;
};

} // namespace

void remove_at_exit(const std::filesystem::path& dir) {
    static exit_registry registry;
    registry.add(dir);
}

} // namespace pgshift::testing
