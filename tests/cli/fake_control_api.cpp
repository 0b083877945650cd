// A fake pgshiftd control API for CLI process tests.
#include "tests/cli/fake_control_api.hpp"

#include <charconv>

namespace pgshift::testing {

using nlohmann::json;

json make_upgrade(const std::string& id, const std::string& app, const std::string& state) {
    const bool done =
        state == "succeeded" || state == "failed" || state == "rolled_back" || state == "cancelled";
    return json{{"id", id},
                {"app", app},
                {"plan", "heroku-postgresql:standard-0"},
                {"version", "16"},
                {"state", state},
                {"paused", false},
                {"needs_attention", false},
                {"attempt", 1},
                {"step_started_at", "2026-11-26T03:12:09.120Z"},
                {"progress", nullptr},
                {"formation", json::array({{{"type", "worker"}, {"quantity", 3}}})},
                {"maintenance_before", false},
                {"source_addon", {{"id", "a1"}, {"name", "postgresql-shaped-12345"}}},
                {"target_addon", {{"id", "a2"}, {"name", "pgshift-3f1c0f9e"}}},
                {"backup", nullptr},
                {"restore", nullptr},
                {"last_error", state == "rolled_back" ? json("restore failed") : json(nullptr)},
                {"timings", json::array()},
                {"options",
                 {{"verify", true},
                  {"allow_restore_warnings", false},
                  {"downtime_at", nullptr},
                  {"remove_source_after", nullptr},
                  {"webhook_url", nullptr},
                  {"keep_target_on_rollback", false}}},
                {"created_at", "2026-11-26T03:10:00.000Z"},
                {"updated_at", "2026-11-26T03:13:00.000Z"},
                {"finished_at", done ? json("2026-11-26T03:22:03.000Z") : json(nullptr)}};
}

json make_event(int seq, const std::string& type, const json& from, const json& to,
                const std::string& detail) {
    return json{{"seq", seq},   {"at", "2026-11-26T03:1" + std::to_string(seq % 10) + ":00.000Z"},
                {"type", type}, {"from", from},
                {"to", to},     {"detail", detail}};
}

fake_control_api::fake_control_api() {
    server_ = std::make_unique<running_server>([this](http::request& req) { return handle(req); });
}

fake_control_api::fake_control_api(const std::string& address) {
    http::server_options options;
    options.address = address;
    server_ = std::make_unique<running_server>([this](http::request& req) { return handle(req); },
                                               std::move(options));
}

void fake_control_api::answer(const std::string& method, const std::string& target, int status,
                              std::string body) {
    const std::lock_guard lock{mutex_};
    canned_[method + " " + target] = {status, std::move(body)};
}

void fake_control_api::script(const std::string& id, std::vector<json> stages,
                              std::vector<std::size_t> visible, std::vector<json> events) {
    const std::lock_guard lock{mutex_};
    timelines_[id] = timeline{std::move(stages), std::move(visible), std::move(events), 0};
}

std::vector<recorded_request> fake_control_api::requests() const {
    const std::lock_guard lock{mutex_};
    return requests_;
}

http::response fake_control_api::handle(http::request& req) {
    const std::lock_guard lock{mutex_};
    requests_.push_back({req.method, req.target, req.body,
                         std::string(req.header_value("Authorization").value_or("")),
                         std::string(req.header_value("Idempotency-Key").value_or("")),
                         std::string(req.header_value("Content-Type").value_or(""))});
    if (const auto it = canned_.find(req.method + " " + req.target); it != canned_.end()) {
        return http::response::json(it->second.first, it->second.second);
    }
    const std::string prefix = "/v1/upgrades/";
    if (req.method == "GET" && req.path.starts_with(prefix)) {
        std::string id = req.path.substr(prefix.size());
        const bool events = id.ends_with("/events");
        if (events) {
            id.resize(id.size() - 7);
        }
        if (const auto it = timelines_.find(id); it != timelines_.end()) {
            return scripted(it->second, req, events);
        }
    }
    return http::response::error(404, "not_found", "no such upgrade");
}

http::response fake_control_api::scripted(timeline& t, const http::request& req, bool events) {
    if (!events) {
        const auto i = std::min(t.served, t.stages.size() - 1);
        t.served = std::min(t.served + 1, t.stages.size());
        return http::response::json(200, t.stages[i].dump());
    }
    int after = 0;
    const auto text = req.query_value("after").value_or("0");
    std::from_chars(text.data(), text.data() + text.size(), after);
    const auto stage = t.served == 0 ? 0 : t.served - 1;
    json list = json::array();
    for (std::size_t i = 0; i < std::min(t.visible[stage], t.events.size()); ++i) {
        if (t.events[i]["seq"].get<int>() > after) {
            list.push_back(t.events[i]);
        }
    }
    return http::response::json(200, json{{"events", list}}.dump());
}

} // namespace pgshift::testing
