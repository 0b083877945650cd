// Rendered GET /v1/upgrades/{id} bodies, reused until the upgrade changes.
#include "api/control_cache.hpp"

namespace pgshift::api::detail {

const std::string* answer_cache::find(std::string_view id, std::uint64_t revision,
                                      const std::optional<waiting_status>& waiting,
                                      clock::time_point now) {
    const auto it = entries_.find(id);
    if (it == entries_.end()) {
        return nullptr;
    }
    const entry& e = it->second;
    if (e.revision != revision || e.waiting != waiting ||
        (!e.finished && now - e.rendered_at >= live_for_)) {
        return nullptr;
    }
    return &e.body;
}

void answer_cache::put(std::string_view id, std::uint64_t revision,
                       std::optional<waiting_status> waiting, bool finished, std::string body,
                       clock::time_point now) {
    auto it = entries_.find(id);
    if (it == entries_.end()) {
        // Bounded: a scan over many ids must not grow the daemon; starting over is cheap
        // (the next GET of each renders once again).
        if (entries_.size() >= capacity_) {
            entries_.clear();
        }
        it = entries_.emplace(std::string(id), entry{}).first;
    }
    it->second = entry{revision, std::move(waiting), finished, now, std::move(body)};
}

} // namespace pgshift::api::detail
