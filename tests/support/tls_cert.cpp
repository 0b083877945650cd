// Self-signed TLS certificates for tests: a key and certificate for localhost and 127.0.0.1.
#include "tests/support/tls_cert.hpp"

#include <memory>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdexcept>

namespace pgshift::testing {

namespace {

template<class T, void (*Free)(T*)>
struct openssl_deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;
using bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BIGNUM, BN_free>>;
using ext_ptr =
    std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION, X509_EXTENSION_free>>;

void check(bool ok, std::string_view step) {
    if (!ok) {
        const unsigned long code = ERR_get_error();
        std::string reason = code != 0 ? ERR_error_string(code, nullptr) : "unknown error";
        ERR_clear_error();
        throw std::runtime_error("tls_cert: " + std::string(step) + " failed: " + reason);
    }
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    ext_ptr ext{X509V3_EXT_conf_nid(nullptr, ctx, nid, value)};
    check(ext != nullptr, value);
    check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

void set_random_serial(X509* cert) {
    bn_ptr serial{BN_new()};
    check(serial && BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1, "BN_rand");
    check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr,
          "BN_to_ASN1_INTEGER");
}

x509_ptr make_certificate(EVP_PKEY* key) {
    x509_ptr cert{X509_new()};
    check(cert != nullptr, "X509_new");
    check(X509_set_version(cert.get(), 2) == 1, "X509_set_version"); // v3
    set_random_serial(cert.get());
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600) != nullptr, "notAfter");
    check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto* cn = reinterpret_cast<const unsigned char*>("localhost");
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1, "CN");
    check(X509_set_issuer_name(cert.get(), name) == 1, "X509_set_issuer_name");
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    // CA:TRUE lets the certificate be its own trust anchor in the client's CA file.
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_extension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    check(X509_sign(cert.get(), key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

} // namespace

tls_files make_self_signed_cert(const std::filesystem::path& dir, std::string_view stem) {
    pkey_ptr key{EVP_EC_gen("P-256")};
    check(key != nullptr, "EVP_EC_gen");
    const auto cert = make_certificate(key.get());
    tls_files files{(dir / (std::string(stem) + ".crt")).string(),
                    (dir / (std::string(stem) + ".key")).string()};
    bio_ptr key_out{BIO_new_file(files.key_file.c_str(), "w")};
    check(key_out != nullptr, "open " + files.key_file);
    check(PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                   nullptr) == 1,
          "write key");
    bio_ptr cert_out{BIO_new_file(files.cert_file.c_str(), "w")};
    check(cert_out != nullptr, "open " + files.cert_file);
    check(PEM_write_bio_X509(cert_out.get(), cert.get()) == 1, "write certificate");
    return files;
}

} // namespace pgshift::testing
