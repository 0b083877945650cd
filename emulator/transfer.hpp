// A Data API transfer (backup or restore) and how a simulated one advances with time.
#pragma once

#include "emulator/model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::emulator {

enum class transfer_kind { backup, restore };
enum class transfer_fault { none, stall, fail };

struct transfer_log {
    time_point at;
    std::string level, message;
};

struct transfer {
    std::string uuid, app_id;
    int num = 0;
    transfer_kind kind = transfer_kind::backup;
    std::string from_name, from_type, from_url, to_name, to_type, to_url;
    std::string source_addon_id, target_addon_id;
    std::string dump_file;               // real transfers: the pg_dump -Fc file
    std::vector<std::string> extensions; // restores: what the request asked to create first
    std::int64_t source_bytes = 0, processed_bytes = 0;
    int source_tables = 0; // simulated: what a restore of it leaves in its target
    bool succeeded = false;
    int warnings = 0;
    time_point created_at, updated_at;
    std::optional<time_point> started_at, finished_at, canceled_at, deleted_at;
    std::vector<transfer_log> logs;
    transfer_fault fault = transfer_fault::none;
    bool simulated = true;
    millis pending_for{0};       // simulated: how long it stays pending
    double bytes_per_second = 1; // simulated throughput

    // Heroku's display name: b001 for backups, r001 for restores.
    std::string display_name() const;
};

// Moves a simulated transfer forward to `now`: pending, then running with growing
// processed_bytes, then finished. A stalled one stops at half and never finishes; a
// failing one finishes unsucceeded at half. Real transfers are left alone.
void advance(transfer& t, time_point now);

// Accepts "b001"-style names, plain nums and uuids.
bool matches(const transfer& t, std::string_view key);

} // namespace pgshift::emulator
