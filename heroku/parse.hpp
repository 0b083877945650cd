// Heroku answer bodies -> plain structs. Pure; never throws on bad input.
#pragma once

#include "heroku/api_error.hpp"
#include "heroku/data_types.hpp"
#include "heroku/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::heroku {

// Each returns the value, or an api_error with id "invalid_response" whose message names the
// first field that is missing or has the wrong type ('field "[1].addon.id" is missing').
// Fields Heroku may send as null (timestamps, byte counts of a pending transfer) are
// optional or default to 0; everything pgshift decides on is required.

// Platform API
outcome<app_info> parse_app(std::string_view body);
outcome<std::vector<formation_entry>> parse_formation(std::string_view body);
outcome<addon> parse_addon(std::string_view body);
outcome<std::vector<addon>> parse_addons(std::string_view body);
outcome<attachment> parse_attachment(std::string_view body);
outcome<std::vector<attachment>> parse_attachments(std::string_view body);
outcome<config_vars> parse_config_vars(std::string_view body); // null values are skipped
outcome<release> parse_release(std::string_view body);
outcome<std::vector<release>> parse_releases(std::string_view body);
outcome<rate_limits> parse_rate_limits(std::string_view body);

// Data API
outcome<wait_status> parse_wait_status(std::string_view body);
outcome<database_info> parse_database_info(std::string_view body);
outcome<transfer> parse_transfer(std::string_view body);
outcome<std::vector<transfer>> parse_transfers(std::string_view body);

// A Heroku error body: the Platform API's {"id", "message", "url"} (a string "message", as
// the CLI's HerokuAPIError requires) or the Data API's {"error": "<text>"}; nullopt otherwise.
struct error_body {
    std::string id;
    std::string message;
};
std::optional<error_body> parse_error_body(std::string_view body);

} // namespace pgshift::heroku
