// The seam to real PostgreSQL: what the world needs from a database server (--postgres).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pgshift::emulator {

struct job_result {
    bool succeeded = false;
    int warnings = 0;
    std::vector<std::string> logs;
    std::int64_t bytes = 0;
};

// Called from the job's own thread; receivers lock their own state.
struct job_callbacks {
    std::function<void(std::int64_t)> on_progress;
    std::function<void(const job_result&)> on_done;
};

// A running pg_dump or pg_restore. Destruction waits for (or ends) the process.
class database_job {
public:
    virtual ~database_job() = default;
    virtual void cancel() = 0;
};

// Every call may block and throws std::runtime_error when the server refuses; callers keep
// them off the event loop where it matters (creation, dumps, restores).
class database_host {
public:
    virtual ~database_host() = default;
    // Creates a database with its own role; returns its postgres:// URL.
    virtual std::string create(std::string_view key, std::string_view base_name) = 0;
    virtual void drop(std::string_view key) = 0;
    virtual void execute(std::string_view key, std::string_view sql) = 0;
    virtual std::int64_t size(std::string_view key) = 0;
    virtual int table_count(std::string_view key) = 0; // user tables, system schemas aside
    virtual std::unique_ptr<database_job> dump(std::string_view key, std::filesystem::path file,
                                               job_callbacks cb) = 0;
    // Restores without the dump's extensions, creating `extensions` first (see pg_backend).
    virtual std::unique_ptr<database_job> restore(std::filesystem::path file, std::string_view key,
                                                  std::vector<std::string> extensions,
                                                  job_callbacks cb) = 0;
};

} // namespace pgshift::emulator
