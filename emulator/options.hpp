// heroku-emulator's command line: flags in, options or one error line out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pgshift::emulator {

struct emulator_options {
    std::string address = "127.0.0.1"; // loopback only
    std::uint16_t port = 0;            // 0: ephemeral, printed on stdout
    std::optional<std::string> tls_cert, tls_key;
    std::optional<std::string> postgres; // admin URL: add-ons become real databases
    std::vector<std::string> tokens;
    std::optional<std::filesystem::path> state_dir;
    std::size_t page_size = 200;
    bool help = false;
    bool version = false; // --version: print the version line, exit 0
};

// args excludes argv[0]. Returns the options, or a message for a one-line error (exit 2).
// Reads --token-file here, so an unreadable file is a usage error too.
std::variant<emulator_options, std::string> parse_options(const std::vector<std::string>& args);

const char* usage() noexcept;

} // namespace pgshift::emulator
