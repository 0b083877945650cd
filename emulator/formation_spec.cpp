// Parsing a formation written the way people say it: "web=2 worker=3 release=0".
#include "emulator/formation_spec.hpp"

#include <algorithm>
#include <charconv>

namespace pgshift::emulator {

std::optional<std::vector<std::pair<std::string, int>>> parse_formation(std::string_view text) {
    std::vector<std::pair<std::string, int>> out;
    while (!text.empty()) {
        const auto b = text.find_first_not_of(" \t,");
        if (b == std::string_view::npos) {
            break;
        }
        text.remove_prefix(b);
        const auto e = std::min(text.find_first_of(" \t,"), text.size());
        const auto item = text.substr(0, e);
        text.remove_prefix(e);
        const auto eq = item.find('=');
        if (eq == 0 || eq == std::string_view::npos) {
            return std::nullopt;
        }
        int n = -1;
        const auto digits = item.substr(eq + 1);
        const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        std::string type(item.substr(0, eq));
        const bool repeated =
            std::any_of(out.begin(), out.end(), [&](const auto& x) { return x.first == type; });
        if (ec != std::errc{} || p != digits.data() + digits.size() || n < 0 || repeated) {
            return std::nullopt;
        }
        out.emplace_back(std::move(type), n);
    }
    return out;
}

} // namespace pgshift::emulator
