// database_host on a real PostgreSQL server, through emulator/pg's pg_backend.
#pragma once

#include "emulator/database_host.hpp"
#include "emulator/pg/pg_backend.hpp"

#include <map>
#include <mutex>

namespace pgshift::emulator {

// Keeps each add-on's credentials by key (the add-on id). Thread-safe.
class pg_database_host final : public database_host {
public:
    // Throws std::runtime_error when the server cannot be reached (see pg_backend).
    explicit pg_database_host(std::string admin_url);

    std::string create(std::string_view key, std::string_view base_name) override;
    void drop(std::string_view key) override;
    void execute(std::string_view key, std::string_view sql) override;
    std::int64_t size(std::string_view key) override;
    int table_count(std::string_view key) override;
    std::unique_ptr<database_job> dump(std::string_view key, std::filesystem::path file,
                                       job_callbacks cb) override;
    std::unique_ptr<database_job> restore(std::filesystem::path file, std::string_view key,
                                          std::vector<std::string> extensions,
                                          job_callbacks cb) override;

private:
    database_credentials credentials(std::string_view key) const; // throws if unknown

    pg_backend backend_;
    mutable std::mutex mu_;
    std::map<std::string, database_credentials, std::less<>> dbs_;
};

} // namespace pgshift::emulator
