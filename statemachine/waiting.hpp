// Why an upgrade that could go on does not yet: the scheduler's answer, shown by the API.
#pragma once

#include "common/time.hpp"

#include <string>
#include <string_view>

namespace pgshift {

enum class wait_reason {
    window,       // its downtime_at has not come
    concurrency,  // max_downtime_concurrency apps are in maintenance already
    budget,       // the token's rate budget cannot carry its downtime yet
    provisioning, // enough new add-ons wait for their downtime already: provisioning is paced
};

constexpr std::string_view to_string(wait_reason r) noexcept {
    switch (r) {
    case wait_reason::window:
        return "window";
    case wait_reason::concurrency:
        return "concurrency";
    case wait_reason::budget:
        return "budget";
    case wait_reason::provisioning:
        return "provisioning";
    }
    return "unknown";
}

// Held in memory by the scheduler (never stored: after a restart it is worked out again).
struct waiting_status {
    wait_reason reason = wait_reason::concurrency;
    int place = 1;      // 1: next in line for what it waits for
    time_point since{}; // when it started waiting for this
    std::string detail; // "3 of 3 apps in maintenance", "needs 41 calls, 12 free"

    bool operator==(const waiting_status&) const = default;
};

} // namespace pgshift
