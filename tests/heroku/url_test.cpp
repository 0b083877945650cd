// Base URL parsing and path-segment encoding.
#include "heroku/url.hpp"

#include <gtest/gtest.h>

namespace pgshift::heroku {
namespace {

TEST(base_url, https_default_port) {
    const auto u = parse_base_url("https://api.heroku.com");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "api.heroku.com");
    EXPECT_EQ(u->port, "443");
    EXPECT_EQ(u->path_prefix, "");
    EXPECT_EQ(u->host_header(), "api.heroku.com");
    EXPECT_EQ(u->origin(), "https://api.heroku.com:443");
}

TEST(base_url, http_with_port_and_prefix) {
    const auto u = parse_base_url("http://127.0.0.1:8080/heroku/");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->tls);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, "8080");
    EXPECT_EQ(u->path_prefix, "/heroku");
    EXPECT_EQ(u->host_header(), "127.0.0.1:8080");
}

TEST(base_url, ipv6_literal) {
    const auto u = parse_base_url("http://[::1]:9000");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, "9000");
    EXPECT_EQ(u->host_header(), "[::1]:9000");
}

TEST(base_url, rejects_mistakes) {
    for (const char* bad :
         {"", "api.heroku.com", "ftp://x", "https://", "https://:443", "https://h:0",
          "https://h:70000", "https://h:12x", "https://h:", "https://user@h", "https://h/?q=1",
          "https://h#f", "http://[::1", "http://[nothost]:80"}) {
        EXPECT_FALSE(parse_base_url(bad)) << bad;
    }
}

TEST(encode_segment, keeps_names_escapes_the_rest) {
    EXPECT_EQ(encode_segment("my-app_1.x~"), "my-app_1.x~");
    EXPECT_EQ(encode_segment("a/b c"), "a%2Fb%20c");
    EXPECT_EQ(encode_segment("../x?y"), "..%2Fx%3Fy");
}

TEST(ip_literal, detects) {
    EXPECT_TRUE(is_ip_literal("127.0.0.1"));
    EXPECT_TRUE(is_ip_literal("::1"));
    EXPECT_FALSE(is_ip_literal("localhost"));
    EXPECT_FALSE(is_ip_literal("api.heroku.com"));
}

} // namespace
} // namespace pgshift::heroku
