// Injected faults, matched by method and route pattern, each firing counted for tests.
#pragma once

#include "emulator/model.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::emulator {

enum class fault_kind {
    status,         // answer `status` with a Heroku-shaped error instead of serving
    latency,        // serve, but only after `latency`
    reset,          // drop the connection without answering
    transfer_stall, // the transfer this request starts never finishes
    transfer_fail,  // the transfer this request starts fails half-way
    provision_fail, // the add-on this request creates ends `deprovisioned`
    garbage,        // serve normally, then replace a 2xx body with one that fails to parse
};

// What a firing `garbage` fault puts in place of a 2xx body, in the order they cycle.
enum class garbage_body { truncated, null, other_container, wrong_shape };
// The replacement body for `real`: its first half, `null`, the other kind of container
// (`[]` for an object; `[{"unexpected":true}]` for a list: an empty list would be a valid
// answer, not garbage) or `{"unexpected":true}`.
std::string garbage_of(garbage_body kind, std::string_view real);

const char* to_string(fault_kind k) noexcept;
std::optional<fault_kind> parse_fault_kind(std::string_view s) noexcept;

struct fault_rule {
    std::string id;
    std::string method = "*"; // or GET, POST, ...
    std::string route;        // "/apps/{app}/formation"; {x} or * = one segment, ** = rest
    fault_kind kind = fault_kind::status;
    int status = 503;
    double probability = 1.0;   // used when first_n is unset
    std::optional<int> first_n; // fire on the first N matching requests only
    millis latency{0};
    int matched = 0; // requests that matched the route
    int fired = 0;   // times the fault took effect
};

bool route_matches(std::string_view pattern, std::string_view path) noexcept;

// Thread-safe. The random source is seeded, so probabilistic runs can be repeated.
class fault_table {
public:
    explicit fault_table(std::uint64_t seed = 42);
    std::string add(fault_rule rule);
    bool remove(std::string_view id);
    void clear();
    std::vector<fault_rule> list() const;

    // What faults of the HTTP kinds (status, latency, reset, garbage) do to this request.
    struct http_effect {
        std::optional<int> status;
        millis latency{0};
        bool reset = false;
        std::optional<garbage_body> garbage; // applied by the caller to a 2xx answer only
    };
    http_effect on_request(std::string_view method, std::string_view path);
    // True when a fault of this world-level kind fires for this request.
    bool fire(std::string_view method, std::string_view path, fault_kind kind);

private:
    bool try_fire(fault_rule& r);

    mutable std::mutex mu_;
    std::vector<fault_rule> rules_;
    std::mt19937_64 rng_;
    int next_id_ = 1;
};

} // namespace pgshift::emulator
