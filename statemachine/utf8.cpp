// UTF-8 decoding (RFC 3629), strict: what it accepts is safe to copy through unchanged.
#include "statemachine/utf8.hpp"

namespace pgshift {

utf8_char decode_utf8(std::string_view text, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) {
        return static_cast<unsigned char>(text[k]);
    };
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
        return {lead, 1};
    }
    std::size_t n = 0;
    char32_t cp = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
        n = 2;
        cp = lead & 0x1fU;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        n = 3;
        cp = lead & 0x0fU;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        n = 4;
        cp = lead & 0x07U;
    } else {
        return {};
    }
    if (i + n > text.size()) {
        return {};
    }
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0U) != 0x80) {
            return {};
        }
        cp = (cp << 6) | (byte(i + k) & 0x3fU);
    }
    const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
        return {};
    }
    return {cp, n};
}

} // namespace pgshift
