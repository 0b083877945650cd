// The stream_writer a streaming response gives its handler: a bounded queue of chunks.
#pragma once

#include "api/http_types.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>

namespace pgshift::http::detail {

// The handler side pushes with write()/finish(); the session side pops and sends. Loop
// thread only. The session detaches with close() when the connection ends, after which the
// handler's writes return false: the queue never refers to a dead session.
class chunk_queue final : public stream_writer {
public:
    explicit chunk_queue(std::size_t byte_limit)
        : byte_limit_(byte_limit) {}

    // Empty chunks are ignored (an empty chunk would end a chunked body). Over the byte
    // limit the peer is taken to be gone: the queue closes and this returns false.
    bool write(std::string chunk) override;
    void finish() override;
    bool closed() const override { return closed_; }

    // Session side. wake is called whenever there is something new to pop or notice.
    void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }
    std::optional<std::string> pop();
    bool finished() const noexcept { return finished_; }
    // Ends the stream (peer gone, stop, or done): drops queued chunks, wakes the session one
    // last time and forgets the wake callback.
    void close() noexcept;

private:
    void notify() const;

    std::deque<std::string> chunks_;
    std::size_t queued_bytes_ = 0;
    std::size_t byte_limit_;
    bool finished_ = false;
    bool closed_ = false;
    std::function<void()> wake_;
};

} // namespace pgshift::http::detail
