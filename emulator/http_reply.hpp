// Building Heroku-shaped HTTP answers and reading JSON bodies without exceptions.
#pragma once

#include "api/http_types.hpp"
#include "emulator/outcome.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace pgshift::emulator {

// A path parameter the router captured ("" when absent).
std::string param(const http::request& req, std::string_view name);

http::response reply(int status, const nlohmann::json& body);

// {"id","message","url"} plus "resource" on 404s; 423 also carries X-Confirmation-Required.
http::response reply_error(const api_error& e);

// The body as a JSON object: an empty body reads as {}. nullopt for anything else that is
// not a JSON object (the caller answers 400 bad_request).
std::optional<nlohmann::json> body_object(const http::request& req);

// True for paths of the Data API (/client/v11/...), whose errors have their own shape.
bool is_data_api_path(std::string_view path) noexcept;
// Rewrites an error answer of the Platform shape into the Data API's: {"error": "not found"}
// on 404s (what heroku-pg#101 shows the Data API answering), {"error": <message>} otherwise;
// no `id`, `message` or `url`. Status and headers stay. 2xx answers are left alone.
void as_data_api_error(http::response& res);
http::response bad_body();

// The string under `key`, or nullopt when absent or not a string.
std::optional<std::string> string_field(const nlohmann::json& j, std::string_view key);
// `{"key": "value"}` or `{"key": {"name": ..}}`/`{"id": ..}`: how Heroku names a related object.
std::optional<std::string> name_or_id(const nlohmann::json& j, std::string_view key);

// The number (or bool) under `key`, or `fallback` when absent or of another type.
template<class T>
T number_or(const nlohmann::json& j, std::string_view key, T fallback) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<T>() : fallback;
}
bool bool_or(const nlohmann::json& j, std::string_view key, bool fallback);

template<class T, class F>
http::response reply_with(const outcome<T>& o, int status, F&& to_body) {
    return o ? reply(status, to_body(o.value())) : reply_error(o.err());
}

} // namespace pgshift::emulator
