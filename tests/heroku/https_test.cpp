// The client over TLS: trusted through a CA file, refused without it or for another name.
#include "heroku/platform_api.hpp"
#include "tests/heroku/fake_heroku.hpp"
#include "tests/support/tls_cert.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <random>

namespace pgshift::heroku {
namespace {

using testing::fake_heroku;

class heroku_https : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("pgshift-heroku-tls-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
        files_ = pgshift::testing::make_self_signed_cert(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void start(fake_heroku& f, const std::string& address = "127.0.0.1") {
        f.routes.add("GET", "/apps/{app}", [](http::request&) {
            return http::response::json(200, R"({"id":"a1","name":"shop","maintenance":true})");
        });
        http::server_options o;
        o.address = address;
        o.tls_cert_file = files_.cert_file;
        o.tls_key_file = files_.key_file;
        f.start(o);
    }

    std::filesystem::path dir_;
    pgshift::testing::tls_files files_;
};

TEST_F(heroku_https, verified_with_the_ca_file) {
    fake_heroku f;
    start(f);
    for (const char* host : {"127.0.0.1", "localhost"}) {
        auto opts = f.options();
        opts.platform_base = "https://" + std::string(host) + ":" + std::to_string(f.port());
        opts.ca_file = files_.cert_file;
        auto& c = f.make_client(opts);
        const auto r = f.run(async_get_app(c, "shop"));
        ASSERT_TRUE(r.ok()) << host << ": " << describe(r.err());
        EXPECT_TRUE(r->maintenance);
    }
}

TEST_F(heroku_https, refused_without_the_ca) {
    fake_heroku f;
    start(f);
    auto opts = f.options();
    opts.platform_base = "https://127.0.0.1:" + std::to_string(f.port());
    auto& c = f.make_client(opts); // system CAs only: the self-signed cert is unknown
    const auto r = f.run(async_get_app(c, "shop"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().id, "tls_error");
    EXPECT_NE(r.err().message.find("certificate verify failed"), std::string::npos)
        << r.err().message;
    EXPECT_FALSE(is_retryable(r.err()));
    EXPECT_EQ(f.log.size(), 1u) << "a verification failure is not retried";
    EXPECT_TRUE(f.seen.empty());
}

TEST_F(heroku_https, refused_for_a_name_not_in_the_certificate) {
    fake_heroku f;
    start(f, "127.0.0.2"); // the certificate names localhost and 127.0.0.1 only
    auto opts = f.options();
    opts.platform_base = "https://127.0.0.2:" + std::to_string(f.port());
    opts.ca_file = files_.cert_file;
    auto& c = f.make_client(opts);
    const auto r = f.run(async_get_app(c, "shop"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().id, "tls_error") << describe(r.err());
    EXPECT_TRUE(f.seen.empty());
}

TEST_F(heroku_https, bad_ca_file_throws_at_construction) {
    net::io_context io;
    client_options opts;
    opts.ca_file = (dir_ / "missing.pem").string();
    EXPECT_THROW(client(io.get_executor(), secret_token("t"), opts), std::runtime_error);
    opts.ca_file.reset();
    opts.platform_base = "api.heroku.com";
    EXPECT_THROW(client(io.get_executor(), secret_token("t"), opts), std::invalid_argument);
}

} // namespace
} // namespace pgshift::heroku
