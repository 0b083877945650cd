// Request-target parsing: split path and query, percent-decode, split path segments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshift::http {

// "/a/b?x=1" -> {"/a/b", "x=1"}; no '?' -> empty query.
struct target_parts {
    std::string_view path;
    std::string_view query;
};
target_parts split_target(std::string_view target) noexcept;

// Decodes %XX escapes (and '+' as a space when plus_is_space, for query strings).
// nullopt on a malformed escape or an encoded NUL, which no pgshift name may contain.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

// "a=1&b=&c" -> {{"a","1"},{"b",""},{"c",""}}, decoded, in order; empty pairs skipped.
// nullopt when any name or value fails to decode.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

// Splits an origin-form raw path ("/a/b%2Fc/") into decoded segments {"a", "b/c", ""}:
// segments are split before decoding, so an encoded '/' stays inside its segment and empty
// segments (trailing slash, "//") are kept. "/" gives no segments. nullopt when the path
// does not start with '/' or a segment fails to decode.
std::optional<std::vector<std::string>> decode_path_segments(std::string_view raw_path);

} // namespace pgshift::http
