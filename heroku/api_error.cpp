// Classification and description of Heroku call errors.
#include "heroku/api_error.hpp"

namespace pgshift::heroku {

bool is_unreadable_answer(const api_error& e) noexcept {
    return e.status >= 200 && e.status < 300 && e.id == error_ids::invalid_response;
}

bool is_retryable(const api_error& e) noexcept {
    if (is_unreadable_answer(e)) {
        return true;
    }
    if (e.status == 0) {
        return e.id == error_ids::network || e.id == error_ids::timeout;
    }
    return e.status >= 500 || e.status == 429;
}

bool is_not_found(const api_error& e) noexcept {
    return e.status == 404;
}

bool is_confirmation_required(const api_error& e) noexcept {
    return e.status == 423 || e.id == "confirmation_required";
}

std::string describe(const api_error& e) {
    std::string out = e.status == 0 ? std::string("no answer") : std::to_string(e.status);
    out += " " + e.id + ": " + e.message;
    if (!e.request_id.empty()) {
        out += " (request " + e.request_id;
        if (!e.heroku_request_id.empty() && e.heroku_request_id != e.request_id) {
            out += ", heroku " + e.heroku_request_id;
        }
        out += ")";
    }
    return out;
}

} // namespace pgshift::heroku
