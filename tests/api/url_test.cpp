// Request-target parsing: percent-decoding, query strings, path segments.
#include "api/url.hpp"

#include <gtest/gtest.h>

namespace {

using namespace pgshift::http;
using pairs = std::vector<std::pair<std::string, std::string>>;

TEST(url, percent_decode_accepts_valid_escapes_only) {
    EXPECT_EQ(percent_decode("a%20b%2fc%C3%A9"), "a b/c\xc3\xa9");
    EXPECT_EQ(percent_decode("a+b"), "a+b");
    EXPECT_EQ(percent_decode("a+b", true), "a b");
    EXPECT_EQ(percent_decode(""), "");
    EXPECT_FALSE(percent_decode("%"));
    EXPECT_FALSE(percent_decode("%4"));
    EXPECT_FALSE(percent_decode("ab%4"));
    EXPECT_FALSE(percent_decode("%zz"));
    EXPECT_FALSE(percent_decode("%00")); // no name may hold a NUL
}

TEST(url, split_target_separates_path_and_query) {
    EXPECT_EQ(split_target("/a/b?x=1&y").path, "/a/b");
    EXPECT_EQ(split_target("/a/b?x=1&y").query, "x=1&y");
    EXPECT_EQ(split_target("/a?").query, "");
    EXPECT_EQ(split_target("/a").query, "");
    EXPECT_EQ(split_target("/a?b?c").query, "b?c");
}

TEST(url, parse_query_keeps_order_and_decodes) {
    EXPECT_EQ(parse_query("b=2&a=1&&c&d=&e=x%3Dy+z&b=3"),
              (pairs{{"b", "2"}, {"a", "1"}, {"c", ""}, {"d", ""}, {"e", "x=y z"}, {"b", "3"}}));
    EXPECT_EQ(parse_query(""), pairs{});
    EXPECT_FALSE(parse_query("a=%zz"));
    EXPECT_FALSE(parse_query("%zz=1"));
}

TEST(url, decode_path_segments_splits_before_decoding) {
    using segments = std::vector<std::string>;
    EXPECT_EQ(decode_path_segments("/"), segments{});
    EXPECT_EQ(decode_path_segments("/a/b%2Fc"), (segments{"a", "b/c"}));
    EXPECT_EQ(decode_path_segments("/a/"), (segments{"a", ""}));
    EXPECT_EQ(decode_path_segments("//a"), (segments{"", "a"}));
    EXPECT_FALSE(decode_path_segments(""));
    EXPECT_FALSE(decode_path_segments("a/b"));
    EXPECT_FALSE(decode_path_segments("/a/%zz"));
}

} // namespace
