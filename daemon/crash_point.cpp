// Test-only crash points: SIGKILL the daemon at a named place, to prove resume is exact.
#include "daemon/crash_point.hpp"

#ifdef PGSHIFT_CRASH_POINTS
#include <cstdlib>
#include <map>
#include <signal.h>
#include <string>
#include <unistd.h>
#endif

namespace pgshift::daemon {

#ifdef PGSHIFT_CRASH_POINTS
void crash_point(std::string_view name) noexcept {
    static const char* spec = std::getenv("PGSHIFT_CRASH_AT");
    if (spec == nullptr) {
        return;
    }
    std::string_view wanted(spec);
    long nth = 1;
    if (auto colon = wanted.find(':'); colon != std::string_view::npos) {
        nth = std::strtol(spec + colon + 1, nullptr, 10);
        wanted = wanted.substr(0, colon);
    }
    if (wanted != name) {
        return;
    }
    static long passages = 0;
    if (++passages == nth) {
        ::kill(::getpid(), SIGKILL);
    }
}
#else
void crash_point(std::string_view) noexcept {}
#endif

} // namespace pgshift::daemon
