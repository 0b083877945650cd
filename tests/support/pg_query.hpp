// pg_query: small libpq helpers for tests: run SQL, count rows, digest a database's contents.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::testing {

using pg_rows = std::vector<std::vector<std::optional<std::string>>>; // NULL is nullopt

// Every function connects to `url` (10 s connect timeout) and throws std::runtime_error
// with the server's message when the connection or the statement fails.

// Rows of the last statement in `sql`, each value in text form.
pg_rows query(const std::string& url, const std::string& sql);
void exec(const std::string& url, const std::string& sql);

// "schema.table" -> exact count(*), for every ordinary table outside the system schemas.
std::map<std::string, std::int64_t> table_row_counts(const std::string& url);

// One line per user table ("table schema.name md5-of-sorted-rows count") and per sequence
// ("sequence schema.name last_value is_called"), sorted: shows *what* differs.
std::vector<std::string> content_manifest(const std::string& url);

// md5 of content_manifest: equal digests mean equal table contents and sequence states.
std::string content_digest(const std::string& url);

} // namespace pgshift::testing
