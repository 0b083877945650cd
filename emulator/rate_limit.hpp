// Heroku's API budget: a token bucket per caller token (4500, refilled ~75 per minute).
#pragma once

#include "emulator/model.hpp"

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pgshift::emulator {

class rate_limiter {
public:
    explicit rate_limiter(double capacity = 4500, double refill_per_minute = 75);
    // Sets the budget and refills every bucket to it.
    void configure(double capacity, double refill_per_minute);
    double capacity() const;
    double refill_per_minute() const;

    struct verdict {
        bool allowed = true;
        long remaining = 0; // whole requests left after this one
    };
    // Spends one request of `token`'s budget at `now`, unless it is empty.
    verdict take(std::string_view token, time_point now);
    // The budget left without spending any (GET /account/rate-limits is free on Heroku).
    long remaining(std::string_view token, time_point now);

private:
    struct bucket {
        double tokens = 0;
        time_point at;
    };
    bucket& refill(std::string_view token, time_point now);

    mutable std::mutex mu_;
    double capacity_, per_minute_;
    std::map<std::string, bucket, std::less<>> buckets_;
};

} // namespace pgshift::emulator
