// /metrics: the metrics snapshot as Prometheus text exposition format 0.0.4. Pure.
#include "api/control_metrics.hpp"

#include <charconv>

namespace pgshift::api {

namespace {

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
std::string label_value(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

// Shortest text that reads back as the same double ("812.4", not "812.39999999999998").
std::string number(double v) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : "NaN";
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view label, std::string_view value,
            const std::string& number_text) {
    out.append(name);
    if (!label.empty()) {
        out.append("{").append(label).append("=\"").append(label_value(value)).append("\"}");
    }
    out.append(" ").append(number_text).append("\n");
}

} // namespace

std::string render_metrics(const metrics_snapshot& m, bool ready) {
    std::string out;
    family(out, "pgshift_upgrades", "gauge", "Upgrades by state.");
    for (const auto& [s, n] : m.upgrades_by_state) {
        sample(out, "pgshift_upgrades", "state", to_string(s), std::to_string(n));
    }
    family(out, "pgshift_step_duration_seconds", "summary", "Durations of finished steps.");
    for (const auto& d : m.step_durations) {
        const auto sum = number(static_cast<double>(d.milliseconds_sum) / 1000.0);
        sample(out, "pgshift_step_duration_seconds_sum", "step", to_string(d.step), sum);
        sample(out, "pgshift_step_duration_seconds_count", "step", to_string(d.step),
               std::to_string(d.count));
    }
    family(out, "pgshift_heroku_requests_total", "counter",
           "Heroku API requests by answer status; error: no answer.");
    for (const auto& [status, n] : m.heroku_requests_by_status) {
        sample(out, "pgshift_heroku_requests_total", "status", status, std::to_string(n));
    }
    if (m.rate_budget_remaining) {
        family(out, "pgshift_heroku_rate_budget_remaining", "gauge",
               "Heroku API requests left in the rate-limit budget.");
        sample(out, "pgshift_heroku_rate_budget_remaining", "", "",
               std::to_string(*m.rate_budget_remaining));
    }
    if (m.apps_in_maintenance) {
        family(out, "pgshift_apps_in_maintenance", "gauge",
               "Apps in maintenance because of an upgrade (max_downtime_concurrency bounds it).");
        sample(out, "pgshift_apps_in_maintenance", "", "", std::to_string(*m.apps_in_maintenance));
    }
    if (m.rate_budget_reserved) {
        family(out, "pgshift_heroku_rate_budget_reserved", "gauge",
               "Heroku API requests set aside for the downtimes in progress.");
        sample(out, "pgshift_heroku_rate_budget_reserved", "", "",
               std::to_string(*m.rate_budget_reserved));
    }
    if (!m.waiting_by_reason.empty()) {
        family(out, "pgshift_upgrades_waiting", "gauge",
               "Upgrades waiting for the scheduler, by reason.");
        for (const auto& [reason, n] : m.waiting_by_reason) {
            sample(out, "pgshift_upgrades_waiting", "reason", reason, std::to_string(n));
        }
    }
    family(out, "pgshift_ready", "gauge", "1 once recovery finished.");
    sample(out, "pgshift_ready", "", "", ready ? "1" : "0");
    return out;
}

} // namespace pgshift::api
