// The emulated Heroku account in memory: every Platform and Data API effect, behind one lock.
#pragma once

#include "emulator/clock.hpp"
#include "emulator/database_host.hpp"
#include "emulator/outcome.hpp"
#include "emulator/requests.hpp"
#include "emulator/timings.hpp"
#include "emulator/views.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

namespace pgshift::emulator {

struct world_state; // the records; see world_state.hpp

// Thread-safe: routes call it from the event loop, real transfers call back from their
// threads. Time is read from the injected clock; states advance lazily from timestamps.
// `host` null = simulated data. Only `host` calls block, and those run without the lock.
class world {
public:
    world(clock_fn clock, std::shared_ptr<database_host> host, std::filesystem::path state_dir);
    ~world();
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    void reset();
    timings get_timings() const;
    void set_timings(const timings& t);
    std::vector<ledger_entry> ledger() const;

    outcome<addon_view> seed_app(const seed_request& r);
    std::vector<app_ref> apps() const;
    outcome<app> find_app(std::string_view key) const;
    outcome<app> update_app(std::string_view key, const app_update& u);
    outcome<std::vector<dyno_type>> formation(std::string_view app) const;
    outcome<std::vector<dyno_type>> scale(std::string_view app, std::vector<formation_update> u);
    outcome<std::map<std::string, std::string>> config_vars(std::string_view app) const;
    outcome<std::map<std::string, std::string>>
    set_config_vars(std::string_view app,
                    const std::map<std::string, std::optional<std::string>>& v);
    outcome<std::vector<release_view>> releases(std::string_view app) const;
    outcome<release_view> find_release(std::string_view app, std::string_view key) const;
    // Test control: releases from now on run no release command, one that succeeds, or one
    // that fails. Not Heroku traffic: no release, no ledger entry.
    outcome<app> set_release_phase(std::string_view app, release_phase_mode mode);

    outcome<addon_view> create_addon(std::string_view app, const addon_request& r);
    outcome<std::vector<addon_view>> addons(std::optional<std::string_view> app) const;
    outcome<addon_view> find_addon(std::optional<std::string_view> app, std::string_view key) const;
    // Only through the owning app (or none); while other apps have it attached, only `force`.
    outcome<addon_view> destroy_addon(std::optional<std::string_view> app, std::string_view key,
                                      bool force = false);
    outcome<std::vector<attachment_view>> attachments(std::optional<std::string_view> app) const;
    outcome<attachment_view> find_attachment(std::optional<std::string_view> app,
                                             std::string_view key) const;
    outcome<attachment_view> attach(const attachment_request& r);
    outcome<attachment_view> detach(std::string_view id);
    outcome<std::vector<attachment_view>> resolve_attachment(std::optional<std::string_view> app,
                                                             std::string_view key) const;
    outcome<std::vector<addon_view>> resolve_addon(std::optional<std::string_view> app,
                                                   std::string_view key) const;

    outcome<wait_status> database_wait_status(std::string_view addon) const;
    outcome<database_view> database(std::string_view addon) const;
    outcome<transfer_view> capture(std::string_view addon, transfer_fault fault);
    outcome<transfer_view> restore(std::string_view addon, std::string_view backup_url,
                                   std::vector<std::string> extensions, transfer_fault fault);
    outcome<std::vector<transfer_view>> transfers(std::string_view app) const;
    outcome<transfer_view> find_transfer(std::string_view app, std::string_view key) const;
    outcome<transfer_view> cancel_transfer(std::string_view app, std::string_view key);
    outcome<transfer_view> delete_transfer(std::string_view app, std::string_view key);

private:
    outcome<addon_view> seed_shared_app(const seed_request& r);
    void start_job(const std::string& uuid);
    void job_progress(const std::string& uuid, std::int64_t bytes);
    void job_done(const std::string& uuid, const job_result& r);
    void create_database_async(const std::string& addon_id, const std::string& name);
    void drop_database_async(const std::string& addon_id);

    clock_fn clock_;
    std::shared_ptr<database_host> host_;
    std::filesystem::path state_dir_;
    mutable std::mutex mu_;
    std::unique_ptr<world_state> s_;
    std::vector<std::jthread> workers_; // database creation/drop off the event loop
};

} // namespace pgshift::emulator
