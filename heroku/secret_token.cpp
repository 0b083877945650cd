// Redacted output of the Heroku API token.
#include "heroku/secret_token.hpp"

#include <ostream>

namespace pgshift::heroku {

std::ostream& operator<<(std::ostream& out, const secret_token&) {
    return out << "[redacted]";
}

} // namespace pgshift::heroku
