// Bearer-token authentication, as both Heroku APIs require it.
#include "emulator/auth.hpp"

#include <algorithm>

namespace pgshift::emulator {

token_auth::token_auth(std::vector<std::string> tokens)
    : tokens_(std::move(tokens)) {}

std::optional<std::string> token_auth::check(const http::request& req) const {
    const auto value = req.header_value("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (!value || value->size() <= scheme.size() ||
        !http::iequals(value->substr(0, scheme.size()), scheme)) {
        return std::nullopt;
    }
    const auto token = value->substr(scheme.size());
    if (std::find(tokens_.begin(), tokens_.end(), token) == tokens_.end()) {
        return std::nullopt;
    }
    return std::string(token);
}

} // namespace pgshift::emulator
