// Test-only crash points: SIGKILL the daemon at a named place, to prove resume is exact.
#pragma once

#include <string_view>

namespace pgshift::daemon {

// When built with PGSHIFT_CRASH_POINTS and the environment names this point in
// PGSHIFT_CRASH_AT (`name` or `name:N` for its N-th passage), the process kills itself with
// SIGKILL right here: no destructor, no flush, as a power cut would. Otherwise a no-op; in
// builds without PGSHIFT_CRASH_POINTS it compiles to nothing.
void crash_point(std::string_view name) noexcept;

} // namespace pgshift::daemon
