// Rendered GET /v1/upgrades/{id} bodies, reused until the upgrade changes (internal to api/).
#pragma once

#include "statemachine/waiting.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pgshift::api::detail {

// Rendering an upgrade reads its row and its whole history from SQLite and builds its JSON:
// ~20x what serving the bytes costs. The backend's revision of an upgrade changes with every
// commit (and store failure) that touches it, and the scheduler's waiting status is asked
// each time (a lookup in memory), so a body kept under both is the body a fresh render gives
// but for the fields of a running upgrade that move with the clock (downtime so far,
// estimated progress): those bodies live at most live_for. A finished upgrade's body lives
// until its revision changes.
// Loop thread only.
class answer_cache {
public:
    using clock = std::chrono::steady_clock;

    static constexpr std::chrono::milliseconds default_live_for{500};
    static constexpr std::size_t default_capacity = 4096;

    explicit answer_cache(std::chrono::milliseconds live_for = default_live_for,
                          std::size_t capacity = default_capacity)
        : live_for_(live_for)
        , capacity_(capacity) {}

    // The body stored for id at this revision and waiting status, while it is fresh; nullptr
    // otherwise. The pointer is valid until the next put or clear.
    const std::string* find(std::string_view id, std::uint64_t revision,
                            const std::optional<waiting_status>& waiting, clock::time_point now);
    // Remembers body as id's at this revision and waiting status, rendered at now;
    // finished: it has no fields that move with the clock.
    void put(std::string_view id, std::uint64_t revision, std::optional<waiting_status> waiting,
             bool finished, std::string body, clock::time_point now);
    void clear() noexcept { entries_.clear(); }
    std::size_t size() const noexcept { return entries_.size(); }

private:
    struct entry {
        std::uint64_t revision = 0;
        std::optional<waiting_status> waiting;
        bool finished = false;
        clock::time_point rendered_at{};
        std::string body;
    };

    std::chrono::milliseconds live_for_;
    std::size_t capacity_;
    std::map<std::string, entry, std::less<>> entries_;
};

} // namespace pgshift::api::detail
