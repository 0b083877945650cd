// expected<T, E> and result<T>: a value or an expected, typed error (first error tier).
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

// A value or an expected error E: the project's first error tier, shared by every module
// (the store's result<T>, the Heroku client's outcome<T>, the emulator's outcome<T>).
template<class T, class E>
class [[nodiscard]] expected {
public:
    expected(T value)
        : v_(std::move(value)) {}
    expected(E e)
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

    E& err() & { return std::get<1>(v_); }
    const E& err() const& { return std::get<1>(v_); }

private:
    std::variant<T, E> v_;
};

template<class T>
using result = expected<T, error>;

// result<void>: success carries nothing.
struct ok_t {};
inline constexpr ok_t ok_v{};
using status = result<ok_t>;

} // namespace pgshift
