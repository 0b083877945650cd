// expected<T, E>: a value or an expected, typed error (the project's first error tier).
#pragma once

#include <utility>
#include <variant>

namespace pgshift {

// A value or an expected error E, shared by every module (the store's result<T>, the Heroku
// client's outcome<T>, the emulator's outcome<T>). Infrastructure failures throw instead.
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

} // namespace pgshift
