// Reading the files pgshiftd is given by path: regular files of bounded size only.
#pragma once

#include "statemachine/result.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace pgshift::daemon {

// Size limits: a configuration or token file is text a person wrote; a CA bundle of every
// public CA is about 0.2 MiB.
inline constexpr std::size_t config_file_limit = 1024 * 1024;
inline constexpr std::size_t token_file_limit = 64 * 1024;
inline constexpr std::size_t ca_file_limit = 4 * 1024 * 1024;

// The whole of `file`, when it is a regular file of at most max_bytes. A directory, FIFO,
// socket or device is refused before anything is read (a FIFO is opened non-blocking, so it
// cannot hang start-up; /dev/zero is never read). The error is one line naming the file as
// `shown` ("cannot read <shown>: <reason>", "<shown> is a directory, not a regular file",
// "<shown> is larger than 1 MiB"); the caller adds the setting and its source.
result<std::string> read_regular_file(const std::filesystem::path& file, const std::string& shown,
                                      std::size_t max_bytes);

} // namespace pgshift::daemon
