// Typed, non-throwing field reads over nlohmann::json for the Heroku answer parsers.
#include "heroku/json_fields.hpp"

#include "common/rfc3339.hpp"

namespace pgshift::heroku::detail {

namespace {
const nlohmann::json& empty_object() {
    static const nlohmann::json value = nlohmann::json::object();
    return value;
}
const nlohmann::json& empty_array() {
    static const nlohmann::json value = nlohmann::json::array();
    return value;
}
} // namespace

json_fields::json_fields(const nlohmann::json& object, std::string path, std::string* error)
    : object_(&object)
    , path_(std::move(path))
    , error_(error) {
    if (!object.is_object()) {
        fail((path_.empty() ? std::string("the answer") : "field \"" + path_ + "\"") +
             " must be an object");
        object_ = &empty_object();
    }
}

std::string json_fields::path_of(const char* key) const {
    return path_.empty() ? std::string(key) : path_ + "." + key;
}

void json_fields::fail(const std::string& what) {
    if (error_->empty()) {
        *error_ = what;
    }
}

const nlohmann::json* json_fields::find(const char* key, bool required) {
    const auto it = object_->find(key);
    if (it == object_->end() || it->is_null()) {
        if (required) {
            fail("field \"" + path_of(key) + "\" is missing");
        }
        return nullptr;
    }
    return &*it;
}

std::string json_fields::str(const char* key) {
    return opt_str(key, true).value_or("");
}

std::optional<std::string> json_fields::opt_str(const char* key) {
    return opt_str(key, false);
}

std::optional<std::string> json_fields::opt_str(const char* key, bool required) {
    const auto* v = find(key, required);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (!v->is_string()) {
        fail("field \"" + path_of(key) + "\" must be a string");
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<time_point> json_fields::opt_time(const char* key) {
    const auto text = opt_str(key, false);
    if (!text) {
        return std::nullopt;
    }
    auto t = parse_rfc3339(*text, time_form::heroku);
    if (!t) {
        fail("field \"" + path_of(key) + "\" must be a timestamp");
    }
    return t;
}

std::int64_t json_fields::int64(const char* key) {
    return int64(key, true);
}

std::int64_t json_fields::int64_or_zero(const char* key) {
    return int64(key, false);
}

std::int64_t json_fields::int64(const char* key, bool required) {
    const auto* v = find(key, required);
    if (v == nullptr) {
        return 0;
    }
    if (!v->is_number_integer()) {
        fail("field \"" + path_of(key) + "\" must be an integer");
        return 0;
    }
    return v->get<std::int64_t>();
}

bool json_fields::boolean(const char* key) {
    return opt_bool(key, true).value_or(false);
}

std::optional<bool> json_fields::opt_bool(const char* key) {
    return opt_bool(key, false);
}

std::optional<bool> json_fields::opt_bool(const char* key, bool required) {
    const auto* v = find(key, required);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (!v->is_boolean()) {
        fail("field \"" + path_of(key) + "\" must be a boolean");
        return std::nullopt;
    }
    return v->get<bool>();
}

json_fields json_fields::object(const char* key) {
    const auto* v = find(key, true);
    return json_fields(v != nullptr ? *v : empty_object(), path_of(key), error_);
}

std::optional<json_fields> json_fields::opt_object(const char* key) {
    const auto* v = find(key, false);
    if (v == nullptr) {
        return std::nullopt;
    }
    return json_fields(*v, path_of(key), error_);
}

const nlohmann::json& json_fields::array(const char* key, bool required) {
    const auto* v = find(key, required);
    if (v == nullptr) {
        return empty_array();
    }
    if (!v->is_array()) {
        fail("field \"" + path_of(key) + "\" must be an array");
        return empty_array();
    }
    return *v;
}

std::vector<std::string> json_fields::strings(const char* key, bool required) {
    std::vector<std::string> out;
    const auto& items = array(key, required);
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_string()) {
            fail("field \"" + path_of(key) + "[" + std::to_string(i) + "]\" must be a string");
            return {};
        }
        out.push_back(items[i].get<std::string>());
    }
    return out;
}

json_fields json_fields::element(const char* key, const nlohmann::json& value,
                                 std::size_t index) const {
    return json_fields(value, path_of(key) + "[" + std::to_string(index) + "]", error_);
}

api_error invalid_response(const std::string& what) {
    return api_error{.status = 0,
                     .id = error_ids::invalid_response,
                     .message = "unexpected answer: " + what,
                     .request_id = {},
                     .heroku_request_id = {},
                     .outcome_unknown = false};
}

nlohmann::json parse_json(std::string_view text) {
    return nlohmann::json::parse(text, nullptr, false);
}

} // namespace pgshift::heroku::detail
