// A fake pgshiftd control API for CLI process tests: canned and scripted answers, recorded
// requests, served by the real HTTP server core on loopback.
#pragma once

#include "tests/api/server_fixture.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pgshift::testing {

struct recorded_request {
    std::string method;
    std::string target; // with query
    std::string body;
    std::string authorization;   // "" when absent
    std::string idempotency_key; // "" when absent
    std::string content_type;    // "" when absent
};

// A contract-shaped upgrade (docs/control-api.md) with the given id, app and state.
nlohmann::json make_upgrade(const std::string& id, const std::string& app,
                            const std::string& state);
// A contract-shaped history entry.
nlohmann::json make_event(int seq, const std::string& type, const nlohmann::json& from,
                          const nlohmann::json& to, const std::string& detail);

class fake_control_api {
public:
    fake_control_api();
    // Listening on `address` instead of loopback: "unix:/path" for a unix socket.
    explicit fake_control_api(const std::string& address);
    std::uint16_t port() const { return server_->port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

    // (method, target with query) answers with status and body, every time.
    void answer(const std::string& method, const std::string& target, int status, std::string body);
    // GET /v1/upgrades/{id} returns stages[0], stages[1], ... (then the last one again);
    // GET /v1/upgrades/{id}/events?after=N returns the events with seq > N among the first
    // visible[i] of `events`, i being the stage served last.
    void script(const std::string& id, std::vector<nlohmann::json> stages,
                std::vector<std::size_t> visible, std::vector<nlohmann::json> events);

    std::vector<recorded_request> requests() const;

private:
    struct timeline {
        std::vector<nlohmann::json> stages;
        std::vector<std::size_t> visible;
        std::vector<nlohmann::json> events;
        std::size_t served = 0; // stages served so far
    };
    http::response handle(http::request& req);
    http::response scripted(timeline& t, const http::request& req, bool events);

    mutable std::mutex mutex_;
    std::map<std::string, std::pair<int, std::string>> canned_;
    std::map<std::string, timeline> timelines_;
    std::vector<recorded_request> requests_;
    std::unique_ptr<running_server> server_;
};

} // namespace pgshift::testing
