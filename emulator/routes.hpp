// Registration of the emulator's route groups onto a router (one group per source file).
#pragma once

#include "api/router.hpp"
#include "emulator/clock.hpp"
#include "emulator/faults.hpp"
#include "emulator/rate_limit.hpp"
#include "emulator/request_log.hpp"
#include "emulator/world.hpp"

#include <cstddef>

namespace pgshift::emulator {

// What handlers share; owned by the service, which outlives its routers.
struct route_context {
    world& w;
    fault_table& faults;
    rate_limiter& limiter;
    request_log& requests;
    clock_fn clock;
    std::size_t page_size = 200;
};

// Apps, maintenance, formation, config vars, releases, account rate limits.
void add_platform_routes(http::router& r, route_context& ctx);
// Add-ons, attachments, promotion, the two resolvers.
void add_addon_routes(http::router& r, route_context& ctx);
// /client/v11: databases, wait_status, backups, restores, transfers.
void add_data_routes(http::router& r, route_context& ctx);
// /_emulator: seeding, timings, rate budget, faults, ledger, request log, reset.
void add_control_routes(http::router& r, route_context& ctx);

} // namespace pgshift::emulator
