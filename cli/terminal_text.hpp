// Text that came from pgshiftd (and through it from Heroku) made safe to print on a terminal.
#pragma once

#include <string>
#include <string_view>

namespace pgshift::cli {

// `text` with nothing a terminal would act on: newline, tab and carriage return read \n, \t,
// \r; other C0 controls and DEL \xNN (an ESC is "\x1b"); C1 controls (U+0080-U+009F) and
// the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) \uNNNN; a byte
// that is not UTF-8 U+FFFD. Valid UTF-8 text is kept as it is.
std::string terminal_text(std::string_view text);

// A JSON document made safe the same way and still the same JSON: those characters become
// \u00NN-style escapes, which is what they must be inside a string (outside one, no JSON
// holds them). Newlines, tabs and CRLF between tokens are kept; a byte that is not UTF-8
// becomes \ufffd.
std::string terminal_json(std::string_view json);

} // namespace pgshift::cli
