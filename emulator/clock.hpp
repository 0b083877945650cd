// The emulator's notion of now, injectable so tests can script time.
#pragma once

#include "emulator/model.hpp"

#include <functional>

namespace pgshift::emulator {

using clock_fn = std::function<time_point()>;

inline clock_fn system_clock_fn() {
    return [] {
        return std::chrono::system_clock::now();
    };
}

} // namespace pgshift::emulator
