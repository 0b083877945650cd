// outcome<T>: a value or a Heroku-shaped API error (the emulator's expected-failure tier).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pgshift::emulator {

// An answer Heroku gives on purpose: status code plus the `id` and `message` of its error body.
struct api_error {
    int status = 400;
    std::string id;
    std::string message;
    std::string resource; // 404 bodies name the resource type, as Heroku's do
};

api_error not_found(std::string resource, std::string message);
api_error invalid(std::string message); // 422 invalid_params

template<class T>
class [[nodiscard]] outcome {
public:
    outcome(T value)
        : v_(std::move(value)) {}
    outcome(api_error e)
        : v_(std::move(e)) {}

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const api_error& err() const& { return std::get<1>(v_); }

private:
    std::variant<T, api_error> v_;
};

struct done {};

} // namespace pgshift::emulator
