// The control API's error answers: status, machine id, message, and the optional names.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace pgshift::api {

// Rendered as {"id", "message"} plus "field" for a field error and "upgrade_id" for a
// conflict naming an upgrade (docs/control-api.md, Errors).
struct api_error {
    int status = 500;
    std::string id = "internal_error";
    std::string message = "internal server error";
    std::optional<std::string> field{};
    std::optional<std::string> upgrade_id{};
};

inline api_error bad_request(std::string message) {
    return {400, "bad_request", std::move(message)};
}

inline api_error invalid_param(std::string field, std::string message) {
    return {422, "invalid_params", std::move(message), std::move(field)};
}

inline api_error not_found(std::string message) {
    return {404, "not_found", std::move(message)};
}

inline api_error conflict(std::string message, std::optional<std::string> upgrade_id) {
    return {409, "conflict", std::move(message), std::nullopt, std::move(upgrade_id)};
}

} // namespace pgshift::api
