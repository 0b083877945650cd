// The stream_writer a streaming response gives its handler: a bounded queue of chunks.
#include "api/chunk_queue.hpp"

namespace pgshift::http::detail {

bool chunk_queue::write(std::string chunk) {
    if (closed_ || finished_) {
        return false;
    }
    if (chunk.empty()) {
        return true;
    }
    if (queued_bytes_ + chunk.size() > byte_limit_) {
        // The peer reads slower than the handler writes; better to drop it than to buffer
        // without bound.
        close();
        return false;
    }
    queued_bytes_ += chunk.size();
    chunks_.push_back(std::move(chunk));
    notify();
    return true;
}

void chunk_queue::finish() {
    if (closed_ || finished_) {
        return;
    }
    finished_ = true;
    notify();
}

std::optional<std::string> chunk_queue::pop() {
    if (chunks_.empty()) {
        return std::nullopt;
    }
    auto chunk = std::move(chunks_.front());
    chunks_.pop_front();
    queued_bytes_ -= chunk.size();
    return chunk;
}

void chunk_queue::close() noexcept {
    closed_ = true;
    chunks_.clear();
    queued_bytes_ = 0;
    // Wake the session once more (it may be waiting for chunks), then forget it.
    auto wake = std::move(wake_);
    wake_ = nullptr;
    if (wake) {
        wake();
    }
}

void chunk_queue::notify() const {
    if (wake_) {
        wake_();
    }
}

} // namespace pgshift::http::detail
