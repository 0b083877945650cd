// Every Heroku request the emulator answered (when, what, status, charged), for benchmarks.
#pragma once

#include "emulator/model.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pgshift::emulator {

struct request_entry {
    std::int64_t seq = 0;
    time_point at;
    std::string method;
    std::string path;     // without the query
    int status = 0;       // 0: the connection was reset instead of answered
    bool charged = false; // it spent one request of the caller's budget
};

// A benchmark counts a client's calls per phase (and the 429s it got) from this, exactly,
// where the budget alone only gives a total. Bounded: past `limit` entries only the counts
// grow, so a long run cannot exhaust memory.
class request_log {
public:
    explicit request_log(std::size_t limit = 500'000);
    void add(time_point at, std::string method, std::string path, int status, bool charged);
    void clear();

    struct snapshot {
        std::int64_t total = 0, charged = 0, dropped = 0;
        std::map<int, std::int64_t> by_status;
        std::vector<request_entry> entries; // those with seq > after
    };
    snapshot read(std::int64_t after = 0) const;

private:
    mutable std::mutex mu_;
    std::size_t limit_;
    std::int64_t total_ = 0, charged_ = 0;
    std::map<int, std::int64_t> by_status_;
    std::vector<request_entry> entries_;
};

} // namespace pgshift::emulator
