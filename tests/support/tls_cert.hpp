// Self-signed TLS certificates for tests: a key and certificate for localhost and 127.0.0.1.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace pgshift::testing {

struct tls_files {
    std::string cert_file; // PEM; self-signed, so it doubles as the CA file clients trust
    std::string key_file;  // PEM, unencrypted
};

// Generates a fresh P-256 key and a certificate valid from an hour ago for 30 days, with
// subjectAltName DNS:localhost and IP:127.0.0.1, and writes them as <stem>.crt and
// <stem>.key into dir (which must exist). Throws std::runtime_error naming the failed step.
tls_files make_self_signed_cert(const std::filesystem::path& dir, std::string_view stem = "server");

} // namespace pgshift::testing
