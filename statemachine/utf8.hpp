// UTF-8 decoding for code that shows text from elsewhere (Heroku, pgshiftd) to a person.
#pragma once

#include <cstddef>
#include <string_view>

namespace pgshift {

// The code point at text[i] and its length in bytes. `length` is 0 when the bytes there are
// not UTF-8: a stray continuation byte, a truncated sequence, an overlong form, a surrogate
// or a value above U+10FFFF. i must be < text.size().
struct utf8_char {
    char32_t code_point = 0;
    std::size_t length = 0;
};
utf8_char decode_utf8(std::string_view text, std::size_t i) noexcept;

} // namespace pgshift
