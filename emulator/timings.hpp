// Tunable delays and sizes of the emulated Heroku (set via /_emulator/timings).
#pragma once

#include "emulator/model.hpp"

#include <cstdint>

namespace pgshift::emulator {

struct timings {
    millis provisioning{3000};    // add-on stays `provisioning` this long
    millis wait_status_404{2000}; // wait_status answers 404 this long after creation
    millis waiting{2000};         // then `waiting?: true` this long after provisioning
    millis transfer_pending{500}; // a transfer stays pending this long
    double throughput_bytes_per_s = 50.0 * 1024 * 1024;     // simulated transfers
    std::int64_t simulated_size_bytes = 64LL * 1024 * 1024; // default simulated database
    millis release_phase{2000}; // releases stay pending this long when there is a release phase
};

} // namespace pgshift::emulator
