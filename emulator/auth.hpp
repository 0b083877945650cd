// Bearer-token authentication, as both Heroku APIs require it.
#pragma once

#include "api/http_types.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pgshift::emulator {

class token_auth {
public:
    explicit token_auth(std::vector<std::string> tokens);
    // The caller's token when it is one of ours; nullopt means answer 401 unauthorized.
    std::optional<std::string> check(const http::request& req) const;

private:
    std::vector<std::string> tokens_;
};

} // namespace pgshift::emulator
