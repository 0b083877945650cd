// Plain values of the Heroku Platform API, as pgshift reads them (no JSON).
#pragma once

#include "common/time.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::heroku {

// Timestamps are read into time_points ("2016-10-07T16:54:35Z" is UTC); one that does not
// parse makes the answer invalid. Data API values are in data_types.hpp.

struct app_ref {
    std::string id;
    std::string name;
};

struct app_info {
    std::string id;
    std::string name;
    bool maintenance = false;
};

struct formation_entry {
    std::string type; // "web", "worker", "release", ...
    int quantity = 0;
    std::string size; // "Standard-1X"; "" when Heroku sent neither size nor dyno_size
};

struct formation_update {
    std::string type;
    int quantity = 0;
};

struct addon {
    std::string id;
    std::string name;      // globally unique, e.g. "postgresql-curved-12345"
    std::string state;     // provisioning | provisioned | deprovisioning | deprovisioned
    app_ref app;           // the billing app
    std::string plan_name; // "heroku-postgresql:standard-0"
    std::vector<std::string> config_vars; // may be empty while provisioning
};

struct attachment_addon {
    std::string id;
    std::string name;
    app_ref app;
    std::string plan_name; // "" unless Heroku embedded the plan: read it from the add-on
};

struct attachment {
    std::string id;
    std::string name;                      // "DATABASE", "HEROKU_POSTGRESQL_PINK"
    std::optional<std::string> name_space; // JSON "namespace": null for the main one
    attachment_addon addon;
    std::optional<app_ref> app; // the attached app
};

using config_vars = std::map<std::string, std::string>;

struct release {
    std::string id;
    std::int64_t version = 0;
    std::string status; // failed | pending | succeeded | expired
    std::string description;
    std::optional<time_point> created_at;
    // Where the release phase's output can be read (null without a release phase).
    std::optional<std::string> output_stream_url;
    bool current = false; // the release the app runs now
};

struct rate_limits {
    std::int64_t remaining = 0;
};

} // namespace pgshift::heroku
