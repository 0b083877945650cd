// Text that came from pgshiftd (and through it from Heroku) made safe to print on a terminal.
#include "cli/terminal_text.hpp"

#include <utility>

namespace pgshift::cli {
namespace {

constexpr char32_t invalid = 0xffffffff;

// The code point at text[i] and its length in bytes; {invalid, 1} when the bytes there are
// not UTF-8 (overlong forms, surrogates and values above U+10FFFF included).
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t i) {
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
        return {invalid, 1};
    }
    if (i + n > text.size()) {
        return {invalid, 1};
    }
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0U) != 0x80) {
            return {invalid, 1};
        }
        cp = (cp << 6) | (byte(i + k) & 0x3fU);
    }
    const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
        return {invalid, 1};
    }
    return {cp, n};
}

// What a terminal may act on: C0, DEL, C1, and the bidirectional controls that reorder what
// is shown (so text can read differently from what it is).
bool is_control(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

void append_hex(std::string& out, std::string_view prefix, char32_t value, int digits) {
    static constexpr char hex[] = "0123456789abcdef";
    out += prefix;
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
        out += hex[(value >> shift) & 0xfU];
    }
}

} // namespace

std::string terminal_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto [cp, n] = decode(text, i);
        if (cp == invalid) {
            out += "\xef\xbf\xbd"; // U+FFFD
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp < 0x80 && is_control(cp)) {
            append_hex(out, "\\x", cp, 2);
        } else if (is_control(cp)) {
            append_hex(out, "\\u", cp, 4);
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

std::string terminal_json(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    for (std::size_t i = 0; i < json.size();) {
        const auto [cp, n] = decode(json, i);
        const bool crlf = cp == '\r' && i + 1 < json.size() && json[i + 1] == '\n';
        if (cp == invalid) {
            out += "\\ufffd";
        } else if (is_control(cp) && cp != '\n' && cp != '\t' && !crlf) {
            append_hex(out, "\\u", cp, 4);
        } else {
            out.append(json.substr(i, n));
        }
        i += n;
    }
    return out;
}

} // namespace pgshift::cli
