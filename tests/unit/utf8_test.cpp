// decode_utf8: what it accepts is copied through unchanged by the CLI and the log, so it must
// refuse every malformed sequence.
#include "statemachine/utf8.hpp"

#include <gtest/gtest.h>
#include <string>

namespace pgshift {
namespace {

TEST(utf8, decodes_each_length) {
    EXPECT_EQ(decode_utf8("a", 0).code_point, U'a');
    EXPECT_EQ(decode_utf8("a", 0).length, 1u);
    const std::string text = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x9f"; // é € 🐟
    EXPECT_EQ(decode_utf8(text, 0).code_point, U'\u00e9');
    EXPECT_EQ(decode_utf8(text, 0).length, 2u);
    EXPECT_EQ(decode_utf8(text, 2).code_point, U'\u20ac');
    EXPECT_EQ(decode_utf8(text, 2).length, 3u);
    EXPECT_EQ(decode_utf8(text, 5).code_point, U'\U0001F41F');
    EXPECT_EQ(decode_utf8(text, 5).length, 4u);
    EXPECT_EQ(decode_utf8("\xc2\x9b", 0).code_point, U'\u009b'); // a C1 control is UTF-8 too
}

TEST(utf8, refuses_what_is_not_utf8) {
    for (const std::string& bad : {
             std::string("\x80"),             // a continuation byte alone
             std::string("\xc3"),             // cut short
             std::string("\xe2\x82"),         // cut short
             std::string("\xc3\x41"),         // a lead byte without its continuation
             std::string("\xc0\xaf"),         // overlong '/'
             std::string("\xe0\x80\xaf"),     // overlong '/'
             std::string("\xed\xa0\x80"),     // a surrogate
             std::string("\xf4\x90\x80\x80"), // above U+10FFFF
             std::string("\xff"),
         }) {
        EXPECT_EQ(decode_utf8(bad, 0).length, 0u) << testing::PrintToString(bad);
    }
}

} // namespace
} // namespace pgshift
