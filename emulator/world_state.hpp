// The world's records and the lock-free helpers that read them (callers hold world's lock).
#pragma once

#include "emulator/database_host.hpp"
#include "emulator/outcome.hpp"
#include "emulator/timings.hpp"
#include "emulator/views.hpp"

#include <map>
#include <memory>
#include <string_view>

namespace pgshift::emulator {

struct world_state {
    timings t;
    std::map<std::string, app, std::less<>> apps;               // by id
    std::map<std::string, addon, std::less<>> addons;           // by id, destroyed ones kept
    std::map<std::string, attachment, std::less<>> attachments; // by id
    std::vector<release> releases;
    std::map<std::string, transfer, std::less<>> transfers;    // by uuid
    std::map<std::string, std::unique_ptr<database_job>> jobs; // real transfers, by uuid
    std::vector<ledger_entry> ledger;
    std::size_t colors_used = 0;
};

app* lookup_app(world_state& s, std::string_view key);
addon* lookup_addon(world_state& s, std::string_view key); // live add-ons only
api_error app_not_found(std::string_view key);
api_error addon_not_found(std::string_view key);

app_ref ref_of(const world_state& s, const std::string& app_id);
addon_view view_addon(const world_state& s, const addon& a, time_point now);
attachment_view view_attachment(const world_state& s, const attachment& at, time_point now);
transfer_view view_transfer(const world_state& s, const transfer& t);

// Config vars of an app: hand-set ones plus <ATTACHMENT>_URL of each provisioned add-on.
std::map<std::string, std::string> effective_config(const world_state& s, const app& a,
                                                    time_point now);
bool has_release_phase(const app& a);
// A plausible but unreachable Heroku-style URL for a simulated database.
std::string simulated_url(const std::string& addon_id);
void add_release(world_state& s, app& a, std::string description, time_point now);
void record(world_state& s, time_point now, std::string kind, std::string app, std::string subject,
            std::string detail = {});

// Moves simulated transfers to `now` and records finishes in the ledger.
void refresh_transfers(world_state& s, time_point now);

} // namespace pgshift::emulator
