// result<T>: a value or an expected, typed error (the project's first error tier).
#pragma once

#include <string>
#include <utility>
#include <variant>

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
class [[nodiscard]] result {
public:
    result(T value)
        : v_(std::move(value)) {}
    result(error e)
        : v_(std::move(e)) {}

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const error& err() const& { return std::get<1>(v_); }

private:
    std::variant<T, error> v_;
};

// result<void>: success carries nothing.
struct ok_t {};
inline constexpr ok_t ok_v{};
using status = result<ok_t>;

} // namespace pgshift
