// Plain values of the Heroku Data (Postgres) API, as pgshift reads them (no JSON).
#pragma once

#include "common/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::heroku {

// Timestamps are read into time_points from the Data API's "2016-10-07 16:54:35 +0000" (or
// RFC 3339); one that does not parse makes the answer invalid. null (or absent) is nullopt.

struct wait_status {
    bool waiting = true;
    bool error = false;
    std::string message;
    std::optional<std::string> step; // "1/3"
};

struct info_item {
    std::string name; // "Plan", "PG Version", "Data Size", ...
    std::vector<std::string> values;
};

struct database_info {
    std::string plan;
    std::optional<std::string> postgres_version;
    std::string resource_url; // a credential: never log it
    std::int64_t num_bytes = 0;
    std::optional<bool> waiting;
    std::optional<std::string> following;
    std::vector<info_item> info;
};

struct transfer_log {
    std::optional<time_point> created_at;
    std::string level;
    std::string message;
};

struct transfer {
    std::string uuid;
    std::int64_t num = 0;
    std::optional<std::string> from_name, from_type, from_url; // urls are credentials
    std::optional<std::string> to_name, to_type, to_url;
    std::int64_t source_bytes = 0;    // null while pending: 0
    std::int64_t processed_bytes = 0; // null while pending: 0
    // Heroku's word on a finished transfer; nullopt (null or absent) is "not known yet",
    // never a failure: a finished transfer without it is polled again.
    std::optional<bool> succeeded;
    std::int64_t warnings = 0;
    std::optional<time_point> created_at, started_at, finished_at, canceled_at, updated_at;
    std::vector<transfer_log> logs; // only with ?verbose=true
};

} // namespace pgshift::heroku
