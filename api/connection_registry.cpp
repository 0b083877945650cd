// The open connections of one server: how many, which may be shed, how to close them all.
#include "api/connection_registry.hpp"

#include <vector>

namespace pgshift::http::detail {

connection_registry::entry::entry(entry&& other) noexcept
    : owner_(other.owner_)
    , id_(other.id_) {
    other.owner_ = nullptr;
}

connection_registry::entry::~entry() {
    if (owner_ != nullptr) {
        owner_->remove(id_);
    }
}

void connection_registry::entry::set_waiting(bool waiting) {
    if (owner_ != nullptr) {
        owner_->set_waiting(id_, waiting);
    }
}

connection_registry::entry connection_registry::add(closer close, bool counted) {
    const auto id = next_id_++;
    open_.emplace(id, slot{std::move(close), counted, true, next_stamp_++});
    if (counted) {
        ++counted_;
    }
    return entry(this, id);
}

void connection_registry::set_waiting(std::uint64_t id, bool waiting) {
    const auto it = open_.find(id);
    if (it == open_.end() || it->second.waiting == waiting) {
        return;
    }
    it->second.waiting = waiting;
    if (waiting) {
        it->second.waiting_since = next_stamp_++;
    }
}

bool connection_registry::shed_oldest_waiting() {
    // A linear scan: it runs only at the cap, over at most max_connections slots, and costs
    // far less than the accept it makes room for.
    auto oldest = open_.end();
    for (auto it = open_.begin(); it != open_.end(); ++it) {
        const slot& s = it->second;
        if (s.counted && s.waiting &&
            (oldest == open_.end() || s.waiting_since < oldest->second.waiting_since)) {
            oldest = it;
        }
    }
    if (oldest == open_.end()) {
        return false;
    }
    // It stops counting now: its session ends later, on its own coroutine.
    oldest->second.counted = false;
    oldest->second.waiting = false;
    --counted_;
    auto close = oldest->second.close; // copied: the slot may vanish during the call
    close();
    return true;
}

void connection_registry::close_all() {
    // Collect ids first and look each up again: a closer may end sessions (and so
    // deregister them) before it returns.
    std::vector<std::uint64_t> ids;
    ids.reserve(open_.size());
    for (const auto& [id, s] : open_) {
        ids.push_back(id);
    }
    for (const auto id : ids) {
        if (const auto it = open_.find(id); it != open_.end()) {
            auto close = it->second.close; // copied: the slot may vanish during the call
            close();
        }
    }
}

void connection_registry::remove(std::uint64_t id) noexcept {
    const auto it = open_.find(id);
    if (it == open_.end()) {
        return;
    }
    if (it->second.counted) {
        --counted_;
    }
    open_.erase(it);
}

} // namespace pgshift::http::detail
