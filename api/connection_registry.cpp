// The open connections of one server: how many, and how to close them all on stop().
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

connection_registry::entry connection_registry::add(closer close, bool counted) {
    const auto id = next_id_++;
    open_.emplace(id, slot{std::move(close), counted});
    if (counted) {
        ++counted_;
    }
    return entry(this, id);
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
