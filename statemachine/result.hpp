// result<T> and status: the store's expected<T, error> (first error tier) and its error codes.
#pragma once

#include "common/expected.hpp"

#include <string>

namespace pgshift {

// Expected outcomes that callers branch on. Infrastructure failures throw instead.
enum class errc {
    not_found,     // no such upgrade
    stale_version, // compare-and-set lost: someone else moved the upgrade first
    conflict,      // a uniqueness rule refused the write (e.g. one active upgrade per app)
    invalid,       // the request or record does not validate
};

struct error {
    errc code;
    std::string message;
};

template<class T>
using result = expected<T, error>;

// result<void>: success carries nothing.
struct ok_t {};
inline constexpr ok_t ok_v{};
using status = result<ok_t>;

} // namespace pgshift
