// The open connections of one server: how many, which may be shed, how to close them all.
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

        // Waiting: the connection has not finished sending a request's headers (a new
        // connection, one between requests, one sending headers). Such connections are the
        // ones shed at the cap; one being answered or streaming is never shed.
        void set_waiting(bool waiting);

    private:
        connection_registry* owner_;
        std::uint64_t id_;
    };

    // counted: whether it occupies one of max_connections (a session being turned away
    // with a 503 does not). A new connection is waiting.
    [[nodiscard]] entry add(closer close, bool counted);
    std::size_t counted() const noexcept { return counted_; }
    std::size_t size() const noexcept { return open_.size(); }
    // Frees a place at the cap: the counted connection that has been waiting longest stops
    // counting and is closed. False when every counted connection is busy.
    bool shed_oldest_waiting();
    // Calls every closer once. Closers may deregister synchronously.
    void close_all();

private:
    struct slot {
        closer close;
        bool counted;
        bool waiting;
        std::uint64_t waiting_since; // order of entering the waiting state: lower is older
    };
    void remove(std::uint64_t id) noexcept;
    void set_waiting(std::uint64_t id, bool waiting);

    std::map<std::uint64_t, slot> open_;
    std::uint64_t next_id_ = 1;
    std::uint64_t next_stamp_ = 1;
    std::size_t counted_ = 0;
};

} // namespace pgshift::http::detail
