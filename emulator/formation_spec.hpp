// Parsing a formation written the way people say it: "web=2 worker=3 release=0".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshift::emulator {

// Pairs in the order given; nullopt on a malformed item, a negative count or a repeated type.
std::optional<std::vector<std::pair<std::string, int>>> parse_formation(std::string_view text);

} // namespace pgshift::emulator
