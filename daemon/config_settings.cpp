// pgshiftd's settings, one row each: key, variable, flag, help, and how a value is checked.
#include "daemon/config.hpp"
#include "daemon/config_sources.hpp"
#include "heroku/url.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace pgshift::daemon {
namespace config_detail {
namespace {

std::string describe(const raw& v) {
    if (const auto* s = std::get_if<std::string>(&v)) {
        return "\"" + *s + "\"";
    }
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        return std::to_string(*i);
    }
    if (const auto* d = std::get_if<double>(&v)) {
        return std::to_string(*d);
    }
    if (const auto* b = std::get_if<bool>(&v)) {
        return *b ? "true" : "false";
    }
    return "a TOML " + std::get<other_type>(v).name;
}

const std::string* as_text(const raw& v) {
    return std::get_if<std::string>(&v);
}

std::optional<std::int64_t> as_integer(const raw& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        return *i;
    }
    const auto* s = as_text(v);
    std::int64_t out = 0;
    if (s == nullptr || s->empty()) {
        return std::nullopt;
    }
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec != std::errc() || end != s->data() + s->size()) {
        return std::nullopt;
    }
    return out;
}

std::optional<double> as_number(const raw& v) {
    if (const auto* d = std::get_if<double>(&v)) {
        return *d;
    }
    if (const auto* s = as_text(v); s != nullptr && !s->empty()) {
        double out = 0;
        auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
        if (ec == std::errc() && end == s->data() + s->size()) {
            return out;
        }
        return std::nullopt;
    }
    if (auto i = as_integer(v)) {
        return static_cast<double>(*i);
    }
    return std::nullopt;
}

std::optional<bool> as_bool(const raw& v) {
    if (const auto* b = std::get_if<bool>(&v)) {
        return *b;
    }
    if (const auto* s = as_text(v)) {
        for (const char* yes : {"1", "true", "yes", "on"}) {
            if (*s == yes) {
                return true;
            }
        }
        for (const char* no : {"0", "false", "no", "off"}) {
            if (*s == no) {
                return false;
            }
        }
    }
    return std::nullopt;
}

// A setter for a path; empty is refused (an empty $VAR is skipped before this).
template<class Store>
std::string path_setting(config& cfg, const raw& v, Store store) {
    const auto* s = as_text(v);
    if (s == nullptr || s->empty()) {
        return describe(v) + " is not a path";
    }
    store(cfg, std::filesystem::path(*s));
    return {};
}

std::string milliseconds(const raw& v, std::chrono::milliseconds& out) {
    auto ms = as_integer(v);
    if (!ms || *ms <= 0 || *ms > 24LL * 3600 * 1000) {
        return describe(v) + " is not a whole number of milliseconds from 1 to 86400000";
    }
    out = std::chrono::milliseconds(*ms);
    return {};
}

std::string count_setting(const raw& v, int& out) {
    auto n = as_integer(v);
    if (!n || *n < 1 || *n > 10'000) {
        return describe(v) + " is not a whole number from 1 to 10000";
    }
    out = static_cast<int>(*n);
    return {};
}

std::string url_setting(const raw& v, std::string& out) {
    const auto* s = as_text(v);
    if (s == nullptr || !heroku::parse_base_url(*s)) {
        return describe(v) + " is not an http(s)://host[:port][/prefix] URL";
    }
    out = *s;
    return {};
}

// One row per setting, in --help order. Every error names `key` and the value's source.
const std::array<setting_info, 20> table{{
    {"state_dir", "PGSHIFT_STATE_DIR", "--state-dir", "DIR",
     "State directory (SQLite database, lock); systemd's $STATE_DIRECTORY by default", kind::text,
     [](config& c, const raw& v, const std::string&) {
         return path_setting(c, v, [](config& c, auto p) { c.state_dir = p; });
     }},
    {"drain_timeout", "PGSHIFT_DRAIN_TIMEOUT", "--drain-timeout", "SECONDS",
     "Longest stop on SIGTERM: answers being written get up to 1 s of it (default 20)",
     kind::integer,
     [](config& c, const raw& v, const std::string&) -> std::string {
         auto s = as_integer(v);
         if (!s || *s < 1 || *s > 3600) {
             return describe(v) + " is not a whole number of seconds from 1 to 3600";
         }
         c.drain_timeout = std::chrono::seconds(*s);
         return {};
     }},
    {"exit_when_idle", "PGSHIFT_EXIT_WHEN_IDLE", "--exit-when-idle", "",
     "Exit once no upgrade is running (tests, one-shot runs)", kind::boolean,
     [](config& c, const raw& v, const std::string&) -> std::string {
         auto b = as_bool(v);
         if (!b) {
             return describe(v) + " is not true or false";
         }
         c.exit_when_idle = *b;
         return {};
     }},
    {"api.listen", "PGSHIFT_API_LISTEN", "--listen", "ADDR",
     "Control API address: IP:PORT, [IPv6]:PORT or unix:/PATH (default 127.0.0.1:7432)", kind::text,
     [](config& c, const raw& v, const std::string&) -> std::string {
         const auto* s = as_text(v);
         auto addr = s != nullptr ? parse_listen_address(*s) : std::nullopt;
         if (!addr) {
             return describe(v) + " is not IP:PORT (e.g. 127.0.0.1:7432, [::1]:7432) nor "
                                  "unix:/absolute/path";
         }
         c.listen = *addr;
         return {};
     }},
    {"api.header_timeout", "PGSHIFT_API_HEADER_TIMEOUT", "--api-header-timeout", "SECONDS",
     "A client must send a request's headers within this; slower ones are closed (default 5)",
     kind::integer,
     [](config& c, const raw& v, const std::string&) -> std::string {
         auto s = as_integer(v);
         if (!s || *s < 1 || *s > 300) {
             return describe(v) + " is not a whole number of seconds from 1 to 300";
         }
         c.api_header_timeout = std::chrono::seconds(*s);
         return {};
     }},
    {"api.token_file", "PGSHIFT_API_TOKEN_FILE", "--api-token-file", "FILE",
     "Control API bearer token; required when api.listen is not loopback", kind::text,
     [](config& c, const raw& v, const std::string&) {
         return path_setting(c, v, [](config& c, auto p) { c.api_token_file = p; });
     }},
    {"log.level", "PGSHIFT_LOG_LEVEL", "--log-level", "LEVEL",
     "debug, info, notice, warning or error (default info)", kind::text,
     [](config& c, const raw& v, const std::string&) -> std::string {
         const auto* s = as_text(v);
         auto level = s != nullptr ? parse_log_level(*s) : std::nullopt;
         if (!level) {
             return describe(v) + " is not one of debug, info, notice, warning, error";
         }
         c.level = *level;
         return {};
     }},
    {"log.heroku_requests", "PGSHIFT_LOG_HEROKU_REQUESTS", "--log-heroku-requests", "LEVEL",
     "Level of the one line per Heroku request: info (default) or debug", kind::text,
     [](config& c, const raw& v, const std::string&) -> std::string {
         const auto* s = as_text(v);
         if (s == nullptr || (*s != "info" && *s != "debug")) {
             return describe(v) + " is not info or debug";
         }
         c.heroku_requests_at_debug = *s == "debug";
         return {};
     }},
    {"heroku.platform_url", "PGSHIFT_PLATFORM_URL", "--platform-url", "URL",
     "Platform API (default https://api.heroku.com)", kind::text,
     [](config& c, const raw& v, const std::string&) {
         return url_setting(v, c.heroku.platform_base);
     }},
    {"heroku.data_url", "PGSHIFT_DATA_URL", "--data-url", "URL",
     "Data API (default https://api.data.heroku.com)", kind::text,
     [](config& c, const raw& v, const std::string&) {
         return url_setting(v, c.heroku.data_base);
     }},
    {"heroku.ca_file", "PGSHIFT_CA_FILE", "--ca-file", "PEM",
     "CA certificates for the Heroku APIs (default: the system's)", kind::text,
     [](config& c, const raw& v, const std::string&) {
         return path_setting(c, v, [](config& c, auto p) { c.heroku.ca_file = p.string(); });
     }},
    {"heroku.token_file", "", "--token-file", "FILE",
     "Heroku API token file (else $HEROKU_API_KEY, else $CREDENTIALS_DIRECTORY/heroku-token)",
     kind::text,
     [](config& c, const raw& v, const std::string& origin) {
         return path_setting(c, v, [&origin](config& c, auto p) {
             c.heroku_token = secret_source{p, {}, origin};
         });
     }},
    {"heroku.rate_capacity", "PGSHIFT_RATE_CAPACITY", "--rate-capacity", "N",
     "Heroku request budget per token (default 4500, Heroku's hourly allowance)", kind::integer,
     [](config& c, const raw& v, const std::string&) -> std::string {
         auto n = as_integer(v);
         if (!n || *n < 1 || *n > 1'000'000) {
             return describe(v) + " is not a whole number of requests from 1 to 1000000";
         }
         c.heroku.rate.capacity = static_cast<double>(*n);
         return {};
     }},
    {"heroku.rate_refill_per_minute", "PGSHIFT_RATE_REFILL_PER_MINUTE", "--rate-refill-per-minute",
     "N", "Budget refill per minute (default 75)", kind::number,
     [](config& c, const raw& v, const std::string&) -> std::string {
         auto n = as_number(v);
         if (!n || !std::isfinite(*n) || *n <= 0 || *n > 1'000'000) {
             return describe(v) + " is not a number of requests per minute above 0";
         }
         c.heroku.rate.refill_per_minute = *n;
         return {};
     }},
    {"engine.poll_ms", "PGSHIFT_POLL_MS", "--poll-ms", "MS",
     "Base interval between Heroku polls (default 5000)", kind::integer,
     [](config& c, const raw& v, const std::string&) {
         return milliseconds(v, c.engine.poll_interval);
     }},
    {"engine.progress_ms", "PGSHIFT_PROGRESS_MS", "--progress-ms", "MS",
     "Commit transfer progress at most this often (default 5000)", kind::integer,
     [](config& c, const raw& v, const std::string&) {
         return milliseconds(v, c.engine.progress_every);
     }},
    {"engine.backoff_ms", "PGSHIFT_BACKOFF_MS", "--backoff-ms", "MS",
     "First retry back-off of a failed step", kind::integer,
     [](config& c, const raw& v, const std::string&) {
         return milliseconds(v, c.engine.retry.first_backoff);
     }},
    {"engine.stall_ms", "PGSHIFT_STALL_MS", "--stall-ms", "MS",
     "A transfer without progress this long needs attention (default 1800000)", kind::integer,
     [](config& c, const raw& v, const std::string&) {
         return milliseconds(v, c.engine.stall_after);
     }},
    {"schedule.max_downtime_concurrency", "PGSHIFT_MAX_DOWNTIME_CONCURRENCY",
     "--max-downtime-concurrency", "N",
     "Apps in maintenance at once, at most; an upgrade may ask for fewer (default 8)",
     kind::integer,
     [](config& c, const raw& v, const std::string&) {
         return count_setting(v, c.engine.schedule.max_downtime_concurrency);
     }},
    {"schedule.provision_ahead", "PGSHIFT_PROVISION_AHEAD", "--provision-ahead", "N",
     "New add-ons made ahead of their downtime, at most (default 16)", kind::integer,
     [](config& c, const raw& v, const std::string&) {
         return count_setting(v, c.engine.schedule.provision_ahead);
     }},
}};

} // namespace

std::span<const setting_info> settings() {
    return table;
}

const setting_info* find_setting(std::string_view key) {
    for (const setting_info& s : table) {
        if (s.key == key) {
            return &s;
        }
    }
    return nullptr;
}

std::string problem(std::string_view key, std::string_view origin, std::string_view what) {
    return std::string(key) + " (" + std::string(origin) + "): " + std::string(what);
}

} // namespace config_detail

} // namespace pgshift::daemon
