// The checks of --check-config that read files: tokens, the CA file, the state directory.
#include "daemon/config.hpp"
#include "daemon/config_file.hpp"
#include "daemon/config_sources.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

namespace pgshift::daemon {
namespace {

using config_detail::problem;

// A bearer token must be visible ASCII (RFC 6750 b64token is narrower still). Nothing
// about the token itself goes in the error: not a character, not its length.
bool printable(const std::string& token) {
    for (unsigned char c : token) {
        if (c <= 0x20 || c >= 0x7f) {
            return false;
        }
    }
    return !token.empty();
}

// A secret file's name for an error line. A name without a '/' is more likely a token
// pasted where its file belongs than a file in the working directory: never echo it.
std::string shown(const std::filesystem::path& file) {
    const std::string name = file.string();
    return name.find('/') != std::string::npos ? name : "the file given (a bare name is not shown)";
}

// The first line of a secret file, without trailing blanks.
result<heroku::secret_token> read_secret(std::string_view setting, const std::string& origin,
                                         const std::filesystem::path& file) {
    auto text = read_regular_file(file, shown(file), token_file_limit);
    if (!text) {
        return error{errc::invalid, problem(setting, origin, text.err().message)};
    }
    std::string token = text->substr(0, text->find('\n')); // the first line
    while (!token.empty() &&
           (token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) {
        token.pop_back();
    }
    if (token.empty()) {
        return error{errc::invalid,
                     problem(setting, origin, shown(file) + " holds no token on its first line")};
    }
    if (!printable(token)) {
        return error{errc::invalid, problem(setting, origin,
                                            shown(file) + ": the token holds spaces or "
                                                          "control characters")};
    }
    return heroku::secret_token(std::move(token));
}

// The CA file holds at least one PEM certificate, every one of which parses: caught here,
// a wrong file would otherwise surface only as a TLS failure at the first Heroku call.
status check_ca_file(const std::string& file) {
    auto text = read_regular_file(file, file, ca_file_limit);
    if (!text) {
        return text.err();
    }
    const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(text->data(), static_cast<int>(text->size())), &BIO_free);
    if (!bio) {
        return error{errc::invalid, file + ": out of memory reading certificates"};
    }
    ERR_clear_error();
    int certificates = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        X509_free(cert);
        ++certificates;
    }
    // Reading stops with "no start line" at the end of the text; any other reason is a
    // certificate that is there but broken.
    const unsigned long last = ERR_peek_last_error();
    ERR_clear_error();
    const bool clean_end =
        ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
    if (!clean_end) {
        return error{errc::invalid, file + " holds a PEM certificate that does not parse (" +
                                        std::to_string(certificates) + " read before it)"};
    }
    if (certificates == 0) {
        return error{errc::invalid,
                     file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"};
    }
    return ok_v;
}

// Writable, or creatable: the nearest existing ancestor is a writable directory.
status check_state_dir(const config& cfg) {
    const std::string origin = cfg.origin("state_dir");
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::absolute(cfg.state_dir, ec);
    if (ec) {
        return error{errc::invalid, problem("state_dir", origin, ec.message())};
    }
    std::filesystem::path probe = dir;
    while (!std::filesystem::exists(probe, ec) && probe.has_relative_path()) {
        probe = probe.parent_path();
    }
    if (!std::filesystem::is_directory(probe, ec)) {
        return error{errc::invalid,
                     problem("state_dir", origin, probe.string() + " is not a directory")};
    }
    if (::access(probe.c_str(), W_OK | X_OK) != 0) {
        const std::string what =
            probe == dir ? " is not writable: " : " cannot be created: " + probe.string() + ": ";
        return error{errc::invalid,
                     problem("state_dir", origin, dir.string() + what + std::strerror(errno))};
    }
    return ok_v;
}

} // namespace

result<checked_config> check_config(const config& cfg) {
    checked_config out;
    const secret_source& src = cfg.heroku_token;
    if (src.file) {
        auto token = read_secret("heroku.token_file", src.origin, *src.file);
        if (!token) {
            return token.err();
        }
        out.heroku_token = std::move(*token);
    } else if (!printable(src.value.reveal())) {
        return error{errc::invalid, problem("heroku.token_file", src.origin,
                                            "the token holds spaces or control characters")};
    } else {
        out.heroku_token = src.value;
    }
    if (cfg.api_token_file) {
        auto token =
            read_secret("api.token_file", cfg.origin("api.token_file"), *cfg.api_token_file);
        if (!token) {
            return token.err();
        }
        out.api_token = std::move(*token);
    }
    if (cfg.heroku.ca_file) {
        if (auto ca = check_ca_file(*cfg.heroku.ca_file); !ca) {
            return error{errc::invalid,
                         problem("heroku.ca_file", cfg.origin("heroku.ca_file"), ca.err().message)};
        }
    }
    if (auto dir = check_state_dir(cfg); !dir) {
        return dir.err();
    }
    out.summary =
        "configuration ok: " + (cfg.file ? "file " + cfg.file->string() : std::string("no file")) +
        ", state_dir " + cfg.state_dir.string() + ", api " + cfg.listen.to_string() +
        (out.api_token ? " (token required)" : " (no token)") + ", heroku " +
        cfg.heroku.platform_base + " " + cfg.heroku.data_base + ", heroku token from " +
        (src.file ? src.file->string() + " (" + src.origin + ")" : src.origin) + ", log " +
        std::string(to_string(cfg.level)) + ", drain " + std::to_string(cfg.drain_timeout.count()) +
        "s";
    return out;
}

} // namespace pgshift::daemon
