// When to ask Heroku again: tight while the app is down, frugal otherwise. Pure.
#pragma once

#include "statemachine/step_env.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace pgshift::plan {

// The app is in maintenance because of this upgrade: every "done yet?" is tight.
bool in_downtime(const upgrade& u) noexcept;

// Waiting for something that gives no estimate (an add-on provisioning, a transfer still
// pending, a release phase), `waited` so far: in downtime poll_min at first, slowing to
// poll_interval after a while; outside downtime poll_interval at first, slowing to poll_max.
std::chrono::milliseconds backoff_delay(const step_options& o, bool tight,
                                        std::chrono::milliseconds waited);

// A running transfer's pace as this run of the step observed it: the rate from the first
// sample with bytes moving to the latest (a whole run's average, not one interval's), and
// when it first reached its size without Heroku calling it finished (a restore's indexes).
class transfer_pace {
public:
    // Every answer: the time it came, the bytes Heroku reports processed and the total.
    void observe(time_point now, std::int64_t processed, std::int64_t total);
    // How long to wait before the next poll (docs/design.md, "The poll schedule").
    std::chrono::milliseconds next_delay(const step_options& o, bool tight) const;
    // Bytes per second, once two samples with bytes moving are apart in time.
    std::optional<double> rate() const;

private:
    struct sample {
        time_point at;
        std::int64_t processed = 0;
    };
    std::optional<time_point> seen_;    // the first answer of this run
    std::optional<sample> first_;       // the first answer with processed > 0
    sample last_{};                     // the latest answer
    std::int64_t total_ = 0;            // 0: not known
    std::optional<time_point> at_size_; // processed reached total, not finished yet
    int misses_ = 0;                    // polls aimed at the expected end that were early
};

} // namespace pgshift::plan
