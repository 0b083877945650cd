// Text that came from pgshiftd (and through it from Heroku) made safe to print on a terminal.
#include "cli/terminal_text.hpp"

#include "statemachine/utf8.hpp"

namespace pgshift::cli {
namespace {

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
        auto [cp, n] = decode_utf8(text, i);
        if (n == 0) {
            out += "\xef\xbf\xbd"; // U+FFFD, in place of one byte that is not UTF-8
            n = 1;
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
        auto [cp, n] = decode_utf8(json, i);
        const bool crlf = cp == '\r' && i + 1 < json.size() && json[i + 1] == '\n';
        if (n == 0) {
            out += "\\ufffd";
            n = 1;
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
