// Unix-socket listener addresses ("unix:/path"): parsing and clearing a stale socket file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgshift::http {

// "unix:/run/pgshift/api.sock" -> "/run/pgshift/api.sock"; nullopt for any other address.
std::optional<std::string> unix_socket_path(std::string_view address);

// Makes `path` free to bind: a socket file nobody answers on (left by a crashed daemon) is
// removed. Throws std::system_error when the path is too long for a socket address, when a
// live server answers there, or when the path exists and is not a socket (never deleted).
void clear_stale_socket(const std::string& path);

} // namespace pgshift::http
