// The emulator as one HTTP handler: Request-Id, auth, rate limit, faults, then the routes.
#pragma once

#include "api/http_types.hpp"
#include "api/router.hpp"
#include "emulator/auth.hpp"
#include "emulator/request_log.hpp"
#include "emulator/routes.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pgshift::emulator {

struct service_options {
    std::vector<std::string> tokens;          // accepted Bearer tokens
    std::size_t page_size = 200;              // list pages without a Range max
    std::shared_ptr<database_host> host;      // null: simulated data
    std::filesystem::path state_dir = "/tmp"; // where real dumps go
    clock_fn clock = system_clock_fn();
    std::uint64_t fault_seed = 42;
};

// Owns the world and everything the routes share. handle() is the server's handler: call it
// on the event loop thread only (the world itself is thread-safe for transfer callbacks).
class service {
public:
    explicit service(service_options opts);
    http::response handle(http::request& req);

    world& state() { return world_; }
    fault_table& faults() { return faults_; }
    rate_limiter& limiter() { return limiter_; }
    request_log& requests() { return requests_; }

private:
    // `charged` is set when the request spent one of the caller's budget.
    http::response serve_heroku(http::request& req, bool& charged);

    service_options opts_;
    world world_;
    fault_table faults_;
    rate_limiter limiter_;
    request_log requests_;
    token_auth auth_;
    route_context ctx_;
    http::router heroku_;
    http::router control_;
};

} // namespace pgshift::emulator
