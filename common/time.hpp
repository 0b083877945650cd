// time_point: an instant in UTC at millisecond precision, as every module stores and compares it.
#pragma once

#include <chrono>

namespace pgshift {

using time_point = std::chrono::sys_time<std::chrono::milliseconds>;

} // namespace pgshift
