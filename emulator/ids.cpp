// Identifiers and spellings: UUIDs, add-on names, attachment colours, ISO-8601 times.
#include "emulator/ids.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

namespace pgshift::emulator {

namespace {

std::mt19937_64& rng() {
    static std::mt19937_64 gen{std::random_device{}()};
    return gen;
}

std::mutex rng_mu;

constexpr std::array colors{"PINK",   "RED",   "BLUE",   "GREEN", "ORANGE", "PURPLE",
                            "YELLOW", "BLACK", "WHITE",  "GOLD",  "SILVER", "CYAN",
                            "AQUA",   "OLIVE", "MAROON", "NAVY",  "TEAL",   "AMBER"};
constexpr std::array adjectives{"curved", "shaped", "rigid", "vertical", "fluffy",
                                "clear",  "silent", "sharp", "tapered",  "angular"};

} // namespace

std::string make_uuid() {
    std::uint64_t hi = 0, lo = 0;
    {
        std::lock_guard lock{rng_mu};
        hi = rng()();
        lo = rng()();
    }
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // RFC 4122 variant
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return buf;
}

bool looks_like_uuid(std::string_view s) noexcept {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const char c = s[i];
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex) {
            return false;
        }
    }
    return true;
}

std::string make_addon_name() {
    std::lock_guard lock{rng_mu};
    const auto& adj = adjectives[rng()() % adjectives.size()];
    return std::string("postgresql-") + adj + "-" + std::to_string(10000 + rng()() % 90000);
}

std::string attachment_color_name(std::size_t n) {
    std::string name = std::string("HEROKU_POSTGRESQL_") + colors[n % colors.size()];
    if (n >= colors.size()) {
        name += "_" + std::to_string(n / colors.size() + 1);
    }
    return name;
}

std::string iso8601(time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace pgshift::emulator
