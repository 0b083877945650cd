// Read-only looks at PostgreSQL databases: table row counts compared, extensions installed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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

struct extensions_report {
    bool ok = false;                // false: could not read them (the message says why)
    std::vector<std::string> names; // installed extensions but plpgsql, sorted
    std::string message;            // never holds a URL or password
};

// Blocking (libpq), read-only like compare_databases: the extensions a restore of this
// database needs pre-installed.
extensions_report installed_extensions(const std::string& url);

// What kind of connection failure libpq's message describes ("authentication failed",
// "timed out", "connection refused", …): the message itself names the host and user.
std::string connect_failure(std::string_view libpq_message);

} // namespace pgshift::daemon
