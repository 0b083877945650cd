// How a simulated transfer advances with time, and how transfers are named.
#include "emulator/transfer.hpp"

#include <algorithm>
#include <cstdio>

namespace pgshift::emulator {

std::string transfer::display_name() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%c%03d", kind == transfer_kind::backup ? 'b' : 'r', num);
    return buf;
}

bool matches(const transfer& t, std::string_view key) {
    return key == t.uuid || key == std::to_string(t.num) || key == t.display_name();
}

namespace {

void log(transfer& t, time_point at, std::string message, std::string level = "info") {
    t.logs.push_back({at, std::move(level), std::move(message)});
}

void begin(transfer& t, time_point at) {
    t.started_at = at;
    log(t, at, t.kind == transfer_kind::backup ? "pg_dump: starting" : "pg_restore: starting");
}

void finish(transfer& t, time_point at, bool ok) {
    t.finished_at = at;
    t.updated_at = at;
    t.succeeded = ok;
    log(t, at, ok ? "transfer finished" : "transfer failed: injected fault", ok ? "info" : "error");
}

} // namespace

void advance(transfer& t, time_point now) {
    if (!t.simulated || t.finished_at || t.canceled_at) {
        return;
    }
    const time_point start = t.created_at + t.pending_for;
    if (now < start) {
        return;
    }
    if (!t.started_at) {
        begin(t, start);
    }
    const double rate = std::max(t.bytes_per_second, 1.0);
    const auto need = std::chrono::duration_cast<millis>(
        std::chrono::duration<double>(static_cast<double>(t.source_bytes) / rate));
    // Faults strike half-way, so a test sees progress before the stall or failure.
    const bool faulty = t.fault != transfer_fault::none;
    const time_point end = start + (faulty ? need / 2 : need);
    const double elapsed = std::chrono::duration<double>(std::min(now, end) - start).count();
    t.processed_bytes =
        std::min<std::int64_t>(t.source_bytes, static_cast<std::int64_t>(elapsed * rate));
    t.updated_at = std::min(now, end);
    if (now < end || t.fault == transfer_fault::stall) {
        return;
    }
    if (!faulty) {
        t.processed_bytes = t.source_bytes;
    }
    finish(t, end, !faulty);
}

} // namespace pgshift::emulator
