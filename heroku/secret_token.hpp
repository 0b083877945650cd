// The Heroku API token: a value that never prints itself.
#pragma once

#include <iosfwd>
#include <string>

namespace pgshift::heroku {

// Holds the bearer token. Streaming it writes "[redacted]"; the only way to the bytes is
// reveal(), called in one place (the Authorization header), so a grep finds every use.
class secret_token {
public:
    secret_token() = default;
    explicit secret_token(std::string value)
        : value_(std::move(value)) {}

    const std::string& reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

private:
    std::string value_;
};

std::ostream& operator<<(std::ostream& out, const secret_token& token);

} // namespace pgshift::heroku
