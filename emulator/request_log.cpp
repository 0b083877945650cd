// The emulator's bounded log of answered Heroku requests, with running counts.
#include "emulator/request_log.hpp"

#include <algorithm>

namespace pgshift::emulator {

request_log::request_log(std::size_t limit)
    : limit_(limit) {}

void request_log::add(time_point at, std::string method, std::string path, int status,
                      bool charged) {
    std::lock_guard lock{mu_};
    ++total_;
    charged_ += charged ? 1 : 0;
    ++by_status_[status];
    if (entries_.size() < limit_) {
        entries_.push_back({total_, at, std::move(method), std::move(path), status, charged});
    }
}

void request_log::clear() {
    std::lock_guard lock{mu_};
    total_ = charged_ = 0;
    by_status_.clear();
    entries_.clear();
}

request_log::snapshot request_log::read(std::int64_t after) const {
    std::lock_guard lock{mu_};
    snapshot s;
    s.total = total_;
    s.charged = charged_;
    s.dropped = total_ - static_cast<std::int64_t>(entries_.size());
    s.by_status = by_status_;
    // Entries are in seq order, seq = index + 1.
    const auto from = static_cast<std::size_t>(
        std::clamp<std::int64_t>(after, 0, static_cast<std::int64_t>(entries_.size())));
    s.entries.assign(entries_.begin() + static_cast<std::ptrdiff_t>(from), entries_.end());
    return s;
}

} // namespace pgshift::emulator
