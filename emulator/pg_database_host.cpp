// database_host on a real PostgreSQL server, through emulator/pg's pg_backend.
#include "emulator/pg_database_host.hpp"

#include <stdexcept>

namespace pgshift::emulator {

namespace {

class pg_job final : public database_job {
public:
    explicit pg_job(std::unique_ptr<running_transfer> t)
        : t_(std::move(t)) {}
    void cancel() override { t_->cancel(); }

private:
    std::unique_ptr<running_transfer> t_;
};

transfer_callbacks adapt(job_callbacks cb) {
    transfer_callbacks out;
    out.on_progress = std::move(cb.on_progress);
    out.on_done = [done = std::move(cb.on_done)](const transfer_outcome& o) {
        done(job_result{o.succeeded, o.warnings, o.logs, o.bytes});
    };
    return out;
}

} // namespace

pg_database_host::pg_database_host(std::string admin_url)
    : backend_(std::move(admin_url)) {}

database_credentials pg_database_host::credentials(std::string_view key) const {
    std::lock_guard lock{mu_};
    auto it = dbs_.find(key);
    if (it == dbs_.end()) {
        throw std::runtime_error("no database for add-on " + std::string(key));
    }
    return it->second;
}

std::string pg_database_host::create(std::string_view key, std::string_view base_name) {
    auto creds = backend_.create_database(base_name);
    std::lock_guard lock{mu_};
    dbs_.insert_or_assign(std::string(key), creds);
    return creds.url();
}

void pg_database_host::drop(std::string_view key) {
    backend_.drop_database(credentials(key));
    std::lock_guard lock{mu_};
    if (auto it = dbs_.find(key); it != dbs_.end()) {
        dbs_.erase(it);
    }
}

void pg_database_host::execute(std::string_view key, std::string_view sql) {
    backend_.execute(credentials(key), sql);
}

std::int64_t pg_database_host::size(std::string_view key) {
    return backend_.database_size(credentials(key));
}

int pg_database_host::table_count(std::string_view key) {
    return backend_.table_count(credentials(key));
}

std::unique_ptr<database_job> pg_database_host::dump(std::string_view key,
                                                     std::filesystem::path file, job_callbacks cb) {
    return std::make_unique<pg_job>(
        backend_.start_dump(credentials(key), std::move(file), adapt(std::move(cb))));
}

std::unique_ptr<database_job> pg_database_host::restore(std::filesystem::path file,
                                                        std::string_view key,
                                                        std::vector<std::string> extensions,
                                                        job_callbacks cb) {
    return std::make_unique<pg_job>(backend_.start_restore(
        std::move(file), credentials(key), adapt(std::move(cb)), std::move(extensions)));
}

} // namespace pgshift::emulator
