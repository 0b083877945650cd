// The API token the CLI sends: the first line of --token-file (or $PGSHIFT_API_TOKEN_FILE).
#pragma once

#include <optional>
#include <string>

namespace pgshift::cli {

// nullopt for an empty path; the token (first line, trailing blanks cut) otherwise. Throws
// usage_error when the file cannot be read, is not a regular file of at most 64 KiB, or holds
// no token; a bare name (perhaps a token pasted where its file belongs) is never echoed.
std::optional<std::string> read_token(const std::string& path);

} // namespace pgshift::cli
