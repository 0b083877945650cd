// Outcome of a Heroku call: a value or an api_error {status, id, message, request ids}.
#pragma once

#include "common/expected.hpp"

#include <string>
#include <utility>
#include <variant>

namespace pgshift::heroku {

// Error ids pgshift makes itself (Heroku's own, such as "not_found", pass through as sent).
namespace error_ids {
inline constexpr const char* network = "network_error";             // connect, reset, EOF
inline constexpr const char* timeout = "timeout";                   // the request deadline passed
inline constexpr const char* tls = "tls_error";                     // handshake or verification
inline constexpr const char* invalid_response = "invalid_response"; // body did not validate
inline constexpr const char* too_many_pages = "too_many_pages";     // a list past max_pages
inline constexpr const char* cancelled = "cancelled";               // the caller cancelled us
inline constexpr const char* http = "http_error"; // an error status, no Heroku body
} // namespace error_ids

struct api_error {
    int status = 0;                // HTTP status; 0 when no answer came (network, timeout)
    std::string id;                // Heroku's machine id, or one of error_ids
    std::string message;           // human text; never holds the token or a database URL
    std::string request_id;        // the Request-Id we sent (the last attempt's)
    std::string heroku_request_id; // the Request-Id Heroku answered with, if any
    // True for a non-idempotent request (POST) that may or may not have taken effect: the
    // caller must look before sending it again (heroku-api.md §2 Idempotency).
    bool outcome_unknown = false;
};

// Network errors, timeouts, 5xx, 429 and a 2xx whose body did not parse (an unreadable
// answer is not Heroku saying no): worth trying again later (after reconciling, when
// outcome_unknown is set).
bool is_retryable(const api_error& e) noexcept;
bool is_unreadable_answer(const api_error& e) noexcept;     // a 2xx that did not parse
bool is_not_found(const api_error& e) noexcept;             // 404
bool is_confirmation_required(const api_error& e) noexcept; // 423 confirmation_required
// One line for logs and an upgrade's last error: "503 unavailable: ... (request <id>)".
std::string describe(const api_error& e);

template<class T>
using outcome = pgshift::expected<T, api_error>;

struct done_t {}; // the value of calls whose answer pgshift does not need
using outcome_void = outcome<done_t>;

} // namespace pgshift::heroku
