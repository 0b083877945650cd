// Read-only comparison of two PostgreSQL databases: user tables and their exact row counts.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace pgshift::daemon {

struct verify_report {
    bool ok = false;      // false: could not compare (the message says why)
    bool matches = false; // same tables, same counts
    std::string message;  // for the history; never holds a URL or password
    std::map<std::string, std::int64_t> source, target;
};

// Blocking (libpq): call off the event loop. Connects read-only with a connect timeout and
// a statement timeout; the URLs are credentials and never appear in the report.
verify_report compare_databases(const std::string& source_url, const std::string& target_url);

} // namespace pgshift::daemon
