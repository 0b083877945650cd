// /metrics: the metrics snapshot as Prometheus text exposition format 0.0.4. Pure.
#pragma once

#include "api/control_backend.hpp"

#include <string>

namespace pgshift::api {

inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4";

// pgshift_upgrades{state}, pgshift_step_duration_seconds_{sum,count}{step},
// pgshift_heroku_requests_total{status}, pgshift_heroku_rate_budget_remaining (omitted while
// unknown) and pgshift_ready, each family under its # HELP and # TYPE lines.
std::string render_metrics(const metrics_snapshot& m, bool ready);

} // namespace pgshift::api
