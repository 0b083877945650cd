// remove_at_exit: test directories removed when the test program ends, kept when a test failed.
#pragma once

#include <filesystem>

namespace pgshift::testing {

// Removes `dir` with everything in it when the process exits normally (after every test
// object is gone, so no child still writes there). When a test of this program failed, the
// directory is kept instead and its path printed on stderr, for inspection. Thread-safe.
void remove_at_exit(const std::filesystem::path& dir);

} // namespace pgshift::testing
