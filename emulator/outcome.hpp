// outcome<T>: a value or a Heroku-shaped API error (the emulator's expected-failure tier).
#pragma once

#include "common/expected.hpp"

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
using outcome = pgshift::expected<T, api_error>;

struct done {};

} // namespace pgshift::emulator
