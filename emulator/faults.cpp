// Injected faults: route matching, first-N and probability triggers, firing counters.
#include "emulator/faults.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace pgshift::emulator {

namespace {

constexpr std::array<std::pair<fault_kind, const char*>, 7> names{{
    {fault_kind::status, "status"},
    {fault_kind::latency, "latency"},
    {fault_kind::reset, "reset"},
    {fault_kind::transfer_stall, "transfer_stall"},
    {fault_kind::transfer_fail, "transfer_fail"},
    {fault_kind::provision_fail, "provision_fail"},
    {fault_kind::garbage, "garbage"},
}};

std::string_view next_segment(std::string_view& rest) {
    if (!rest.empty() && rest.front() == '/') {
        rest.remove_prefix(1);
    }
    const auto cut = rest.find('/');
    const auto seg = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut);
    return seg;
}

bool method_matches(std::string_view rule, std::string_view method) {
    return rule == "*" || rule == method;
}

} // namespace

const char* to_string(fault_kind k) noexcept {
    for (const auto& [kind, name] : names) {
        if (kind == k) {
            return name;
        }
    }
    return "unknown";
}

std::optional<fault_kind> parse_fault_kind(std::string_view s) noexcept {
    for (const auto& [kind, name] : names) {
        if (s == name) {
            return kind;
        }
    }
    return std::nullopt;
}

std::string garbage_of(garbage_body kind, std::string_view real) {
    switch (kind) {
    case garbage_body::truncated:
        // Half of a JSON document never parses: its brackets or quotes are left open.
        return std::string(real.substr(0, real.size() / 2));
    case garbage_body::null:
        return "null";
    case garbage_body::other_container: {
        // `[]` in place of a list is a list that happens to be empty: it parses, so it is not
        // garbage, and no client could tell it from the truth. A list gets a wrong item.
        const auto first = real.find_first_not_of(" \t\r\n");
        const bool list = first != std::string_view::npos && real[first] == '[';
        return list ? R"([{"unexpected":true}])" : "[]";
    }
    case garbage_body::wrong_shape:
        return R"({"unexpected":true})";
    }
    return "null";
}

bool route_matches(std::string_view pattern, std::string_view path) noexcept {
    while (!pattern.empty() || !path.empty()) {
        const auto want = next_segment(pattern);
        if (want == "**") {
            return true;
        }
        if (path.empty()) {
            return false;
        }
        const auto have = next_segment(path);
        const bool wildcard = want == "*" || (want.size() >= 2 && want.front() == '{');
        if (!wildcard && want != have) {
            return false;
        }
    }
    return true;
}

fault_table::fault_table(std::uint64_t seed)
    : rng_(seed) {}

std::string fault_table::add(fault_rule rule) {
    std::lock_guard lock{mu_};
    rule.id = "fault-" + std::to_string(next_id_++);
    rule.matched = rule.fired = 0;
    rules_.push_back(rule);
    return rule.id;
}

bool fault_table::remove(std::string_view id) {
    std::lock_guard lock{mu_};
    return std::erase_if(rules_, [&](const fault_rule& r) { return r.id == id; }) > 0;
}

void fault_table::clear() {
    std::lock_guard lock{mu_};
    rules_.clear();
}

std::vector<fault_rule> fault_table::list() const {
    std::lock_guard lock{mu_};
    return rules_;
}

bool fault_table::try_fire(fault_rule& r) {
    ++r.matched;
    bool fires = false;
    if (r.first_n) {
        fires = r.fired < *r.first_n;
    } else {
        fires = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < r.probability;
    }
    r.fired += fires ? 1 : 0;
    return fires;
}

fault_table::http_effect fault_table::on_request(std::string_view method, std::string_view path) {
    std::lock_guard lock{mu_};
    http_effect effect;
    for (auto& r : rules_) {
        const bool http_kind = r.kind == fault_kind::status || r.kind == fault_kind::latency ||
                               r.kind == fault_kind::reset || r.kind == fault_kind::garbage;
        if (!http_kind || !method_matches(r.method, method) || !route_matches(r.route, path)) {
            continue;
        }
        if (!try_fire(r)) {
            continue;
        }
        if (r.kind == fault_kind::latency) {
            effect.latency += r.latency;
        } else if (r.kind == fault_kind::reset) {
            effect.reset = true;
        } else if (r.kind == fault_kind::garbage) {
            // Each rule cycles through the four bodies by its own firing count, so a test
            // with first_n = 4 sees every one of them exactly once.
            effect.garbage = static_cast<garbage_body>((r.fired - 1) % 4);
        } else if (!effect.status) {
            effect.status = r.status;
        }
    }
    return effect;
}

bool fault_table::fire(std::string_view method, std::string_view path, fault_kind kind) {
    std::lock_guard lock{mu_};
    for (auto& r : rules_) {
        if (r.kind == kind && method_matches(r.method, method) && route_matches(r.route, path) &&
            try_fire(r)) {
            return true;
        }
    }
    return false;
}

} // namespace pgshift::emulator
