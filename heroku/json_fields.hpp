// Reads typed fields out of a JSON object, remembering the first one that did not validate.
// Internal to heroku/*.cpp: nothing outside the parsers sees nlohmann::json.
#pragma once

#include "common/time.hpp"
#include "heroku/api_error.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::heroku::detail {

// The first failure is kept in *error as 'field "a.b" is missing' (or 'must be a string');
// later reads after a failure return defaults, so a parser reads straight through and checks
// ok() once. "Optional" getters accept a missing key and JSON null.
class json_fields {
public:
    json_fields(const nlohmann::json& object, std::string path, std::string* error);

    bool ok() const { return error_->empty(); }

    std::string str(const char* key);
    std::optional<std::string> opt_str(const char* key);
    // A timestamp as Heroku writes it (common/rfc3339.hpp, time_form::heroku); text that
    // names no instant fails as 'field "a.b" must be a timestamp'.
    std::optional<time_point> opt_time(const char* key);
    std::int64_t int64(const char* key);
    std::int64_t int64_or_zero(const char* key); // missing or null -> 0
    bool boolean(const char* key);
    std::optional<bool> opt_bool(const char* key);
    json_fields object(const char* key);
    std::optional<json_fields> opt_object(const char* key);
    // An array (empty if optional and absent); elements are visited with element().
    const nlohmann::json& array(const char* key, bool required);
    std::vector<std::string> strings(const char* key, bool required);

    // The index-th element of the array under key (as returned by array(key, ...)).
    json_fields element(const char* key, const nlohmann::json& value, std::size_t index) const;
    std::string path_of(const char* key) const;
    void fail(const std::string& what);

private:
    // nullptr (after recording a failure when required) unless the key holds a non-null value.
    const nlohmann::json* find(const char* key, bool required);
    std::optional<std::string> opt_str(const char* key, bool required);
    std::int64_t int64(const char* key, bool required);
    std::optional<bool> opt_bool(const char* key, bool required);

    const nlohmann::json* object_;
    std::string path_;
    std::string* error_;
};

// Parses without exceptions: a discarded value (is_discarded()) when text is not JSON.
nlohmann::json parse_json(std::string_view text);

api_error invalid_response(const std::string& what);

// body -> T via read(json_fields&) on the top-level object.
template<class T, class Read>
outcome<T> parse_object(std::string_view body, Read read) {
    const auto json = parse_json(body);
    if (json.is_discarded()) {
        return invalid_response("the answer is not JSON");
    }
    std::string error;
    json_fields fields(json, "", &error);
    T value = read(fields);
    if (!error.empty()) {
        return invalid_response(error);
    }
    return value;
}

// body -> vector<T> via read(json_fields&) on each element of the top-level array.
template<class T, class Read>
outcome<std::vector<T>> parse_array(std::string_view body, Read read) {
    const auto json = parse_json(body);
    if (json.is_discarded() || !json.is_array()) {
        return invalid_response(json.is_discarded() ? "the answer is not JSON"
                                                    : "the answer must be an array");
    }
    std::string error;
    std::vector<T> out;
    for (std::size_t i = 0; i < json.size() && error.empty(); ++i) {
        json_fields fields(json[i], "[" + std::to_string(i) + "]", &error);
        out.push_back(read(fields));
    }
    if (!error.empty()) {
        return invalid_response(error);
    }
    return out;
}

} // namespace pgshift::heroku::detail
