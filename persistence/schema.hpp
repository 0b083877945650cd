// Schema migrations, versioned by PRAGMA user_version, forward only.
#pragma once

#include "persistence/sqlite.hpp"

namespace pgshift::persistence {

// The schema version this build writes.
int latest_schema_version() noexcept;

// The database's current schema version (0 for a new file).
int schema_version(sqlite::database& db);

// Applies every migration above the database's version up to `target` (default: latest),
// each in its own transaction with its user_version bump. Throws sqlite::error on failure,
// and schema_too_new, without touching the file, when the database is newer than this build.
void migrate(sqlite::database& db, int target = latest_schema_version());

class schema_too_new : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace pgshift::persistence
