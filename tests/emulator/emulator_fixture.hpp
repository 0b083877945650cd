// An in-process heroku-emulator on a loopback port, and a JSON-speaking client for it.
#pragma once

#include "emulator/service.hpp"
#include "tests/support/http_client.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

namespace pgshift::testing {

inline constexpr const char* test_token = "test-token";

struct json_reply {
    int status = 0;
    nlohmann::json body;
    http_reply raw;
};

// Runs a service behind the real HTTP server (pgshift_api) on its own io_context thread.
class running_emulator {
public:
    explicit running_emulator(emulator::service_options opts = {},
                              std::optional<std::string> tls_cert = {},
                              std::optional<std::string> tls_key = {});
    ~running_emulator();
    running_emulator(const running_emulator&) = delete;
    running_emulator& operator=(const running_emulator&) = delete;

    std::uint16_t port() const { return port_; }
    emulator::service& service() { return *service_; }

    // One request with the test token (unless `token` says otherwise), body parsed as JSON.
    json_reply call(std::string_view method, std::string_view target,
                    const nlohmann::json& body = nullptr,
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    std::optional<std::string> token = test_token);
    http_client& client() { return *client_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::unique_ptr<emulator::service> service_;
    std::unique_ptr<http_client> client_;
    std::uint16_t port_ = 0;
};

// Short timings so the HTTP tests run in milliseconds.
nlohmann::json fast_timings();

} // namespace pgshift::testing
