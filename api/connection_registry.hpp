// The open connections of one server: how many, and how to close them all on stop().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>

namespace pgshift::http::detail {

// Loop-thread only. Each session registers a closer for as long as it lives.
class connection_registry {
public:
    using closer = std::function<void()>;

    // Deregisters on destruction; move-only. Must not outlive its registry.
    class entry {
    public:
        entry(connection_registry* owner, std::uint64_t id)
            : owner_(owner)
            , id_(id) {}
        entry(entry&& other) noexcept;
        entry& operator=(entry&&) = delete;
        entry(const entry&) = delete;
        entry& operator=(const entry&) = delete;
        ~entry();

    private:
        connection_registry* owner_;
        std::uint64_t id_;
    };

    // counted: whether it occupies one of max_connections (a session being turned away
    // with a 503 does not).
    [[nodiscard]] entry add(closer close, bool counted);
    std::size_t counted() const noexcept { return counted_; }
    std::size_t size() const noexcept { return open_.size(); }
    // Calls every closer once. Closers may deregister synchronously.
    void close_all();

private:
    struct slot {
        closer close;
        bool counted;
    };
    void remove(std::uint64_t id) noexcept;

    std::map<std::uint64_t, slot> open_;
    std::uint64_t next_id_ = 1;
    std::size_t counted_ = 0;
};

} // namespace pgshift::http::detail
