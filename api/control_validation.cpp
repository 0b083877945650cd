// Validation of control API input: the start body, list and events queries, headers. Pure.
#include "api/control_validation.hpp"

#include "common/rfc3339.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

namespace pgshift::api {

namespace {

using json = nlohmann::json;

// Larger delays are typos, and ms arithmetic on them could overflow: about 100 years.
constexpr std::int64_t max_remove_source_after = 3'153'600'000;
constexpr std::size_t max_url_length = 2048;
constexpr std::string_view plan_prefix = "heroku-postgresql:";

bool is_lower_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// Digits only, no sign, within [lo, hi].
std::optional<std::int64_t> parse_bounded(std::string_view text, std::int64_t lo,
                                          std::int64_t hi) noexcept {
    if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit)) {
        return std::nullopt;
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v < lo || v > hi) {
        return std::nullopt;
    }
    return v;
}

using field_result = std::optional<api_error>; // nullopt: the field is fine

field_result read_string(const json& v, std::string_view name, bool (*valid)(std::string_view),
                         std::string_view rule, std::string& out) {
    if (!v.is_string()) {
        return invalid_param(std::string(name), std::string(name) + " must be a string");
    }
    out = v.get<std::string>();
    if (!valid(out)) {
        return invalid_param(std::string(name),
                             std::string(name) + " must be " + std::string(rule));
    }
    return std::nullopt;
}

field_result read_bool(const json& v, std::string_view name, bool& out) {
    if (!v.is_boolean()) {
        return invalid_param(std::string(name), std::string(name) + " must be true or false");
    }
    out = v.get<bool>();
    return std::nullopt;
}

field_result read_version(const json& v, upgrade_request& r) {
    std::string text;
    if (v.is_number_unsigned() || v.is_number_integer()) {
        text = v.dump(); // an integer dumps as its digits; a negative one fails below
    } else if (v.is_string()) {
        text = v.get<std::string>();
    } else {
        return invalid_param("version", "version must be digits, as a string or an integer");
    }
    if (!valid_pg_version(text)) {
        return invalid_param("version", "version must be 1 to 4 digits, e.g. \"16\"");
    }
    r.pg_version = std::move(text);
    return std::nullopt;
}

field_result read_downtime_at(const json& v, upgrade_request& r) {
    const auto t = v.is_string() ? parse_rfc3339(v.get_ref<const std::string&>()) : std::nullopt;
    if (!t) {
        return invalid_param("downtime_at",
                             "downtime_at must be an RFC 3339 time, e.g. 2026-11-26T02:00:00Z");
    }
    r.downtime_at = *t;
    return std::nullopt;
}

field_result read_remove_source_after(const json& v, upgrade_request& r) {
    const bool integral = v.is_number_unsigned() || v.is_number_integer();
    const std::int64_t seconds = v.is_number_unsigned()
                                     ? static_cast<std::int64_t>(std::min<std::uint64_t>(
                                           v.get<std::uint64_t>(), max_remove_source_after + 1))
                                 : integral ? v.get<std::int64_t>()
                                            : -1;
    if (!integral || seconds < 0 || seconds > max_remove_source_after) {
        return invalid_param("remove_source_after",
                             "remove_source_after must be an integer number of seconds, 0 to " +
                                 std::to_string(max_remove_source_after));
    }
    r.remove_source_after = std::chrono::seconds(seconds);
    return std::nullopt;
}

// pgshift delivers no notifications yet: a webhook_url would be stored and never called, so
// a well-formed one is refused, saying so, rather than accepted and silently ignored.
field_result read_webhook_url(const json& v, upgrade_request& /*r*/) {
    std::string url;
    if (auto e = read_string(v, "webhook_url", valid_webhook_url, "an http or https URL", url)) {
        return e;
    }
    return invalid_param("webhook_url",
                         "webhook_url: pgshift does not deliver notifications yet, so it is "
                         "refused rather than kept and never called; leave it out and follow the "
                         "upgrade with GET /v1/upgrades/{id}/events?follow=1 or pgshift watch");
}

// An extension name as pg:backups:restore --extensions takes it: letters, digits, _ and -
// ("uuid-ossp"), optionally schema-qualified; never a comma (they are stored joined by one).
bool valid_extension(std::string_view name) noexcept {
    return !name.empty() && name.size() <= 127 &&
           (is_lower_alnum(name.front()) || name.front() == '_') &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return is_lower_alnum(c) || c == '_' || c == '-' || c == '.';
           });
}

field_result read_extensions(const json& v, upgrade_request& r) {
    const auto bad = [] {
        return invalid_param("extensions",
                             "extensions must be an array of at most 64 extension names "
                             "(lower-case letters, digits, _ and -), e.g. [\"hstore\"]");
    };
    if (!v.is_array() || v.size() > 64) {
        return bad();
    }
    std::vector<std::string> names;
    for (const auto& e : v) {
        if (!e.is_string()) {
            return bad();
        }
        std::string name = e.get<std::string>();
        std::transform(name.begin(), name.end(), name.begin(), [](char c) {
            return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        });
        if (!valid_extension(name)) {
            return bad();
        }
        names.push_back(std::move(name));
    }
    // As the CLI sends them: lower-case, sorted, each once.
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    r.extensions = std::move(names);
    return std::nullopt;
}

// More apps than this down at once is no bound at all: a typo.
constexpr std::int64_t max_downtime_concurrency_limit = 1000;

field_result read_max_downtime_concurrency(const json& v, upgrade_request& r) {
    const bool integral = v.is_number_unsigned() || v.is_number_integer();
    const std::int64_t n = v.is_number_unsigned()
                               ? static_cast<std::int64_t>(std::min<std::uint64_t>(
                                     v.get<std::uint64_t>(), max_downtime_concurrency_limit + 1))
                           : integral ? v.get<std::int64_t>()
                                      : 0;
    if (!integral || n < 1 || n > max_downtime_concurrency_limit) {
        return invalid_param("max_downtime_concurrency",
                             "max_downtime_concurrency must be an integer, 1 to " +
                                 std::to_string(max_downtime_concurrency_limit) +
                                 " (apps in maintenance at once, this one not counted)");
    }
    r.max_downtime_concurrency = static_cast<int>(n);
    return std::nullopt;
}

constexpr std::array<std::string_view, 11> known_fields{"app",
                                                        "plan",
                                                        "version",
                                                        "downtime_at",
                                                        "verify",
                                                        "allow_restore_warnings",
                                                        "remove_source_after",
                                                        "webhook_url",
                                                        "keep_target_on_rollback",
                                                        "extensions",
                                                        "max_downtime_concurrency"};

// One body field. Required fields are checked for presence by the caller.
field_result read_field(const std::string& name, const json& v, upgrade_request& r) {
    if (std::find(known_fields.begin(), known_fields.end(), name) == known_fields.end()) {
        return invalid_param(name, "unknown field " + name);
    }
    if (name == "app") {
        return read_string(v, name, valid_app_name,
                           "a Heroku app name: a lower-case letter, then 1 to 29 lower-case "
                           "letters, digits or dashes",
                           r.app);
    }
    if (name == "plan") {
        return read_string(v, name, valid_plan,
                           "heroku-postgresql:<plan>, the plan in lower-case letters, digits "
                           "and dashes",
                           r.plan);
    }
    if (v.is_null()) {
        return std::nullopt; // an optional field given as null keeps its default
    }
    if (name == "version") {
        return read_version(v, r);
    }
    if (name == "downtime_at") {
        return read_downtime_at(v, r);
    }
    if (name == "verify") {
        return read_bool(v, name, r.verify);
    }
    if (name == "allow_restore_warnings") {
        return read_bool(v, name, r.allow_restore_warnings);
    }
    if (name == "keep_target_on_rollback") {
        return read_bool(v, name, r.keep_target_on_rollback);
    }
    if (name == "remove_source_after") {
        return read_remove_source_after(v, r);
    }
    if (name == "extensions") {
        return read_extensions(v, r);
    }
    if (name == "max_downtime_concurrency") {
        return read_max_downtime_concurrency(v, r);
    }
    return read_webhook_url(v, r); // the last known field
}

} // namespace

bool valid_app_name(std::string_view app) noexcept {
    return app.size() >= 2 && app.size() <= 30 && app.front() >= 'a' && app.front() <= 'z' &&
           std::all_of(app.begin(), app.end(),
                       [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool valid_plan(std::string_view plan) noexcept {
    if (plan.substr(0, plan_prefix.size()) != plan_prefix) {
        return false;
    }
    const auto name = plan.substr(plan_prefix.size());
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return is_lower_alnum(c) || c == '-';
    });
}

bool valid_pg_version(std::string_view version) noexcept {
    return !version.empty() && version.size() <= 4 &&
           std::all_of(version.begin(), version.end(), is_digit);
}

bool valid_webhook_url(std::string_view url) noexcept {
    if (url.size() > max_url_length) {
        return false;
    }
    std::string lower(url.substr(0, 8));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    std::size_t host_at = 0;
    if (lower.rfind("http://", 0) == 0) {
        host_at = 7;
    } else if (lower.rfind("https://", 0) == 0) {
        host_at = 8;
    } else {
        return false;
    }
    // Printable ASCII without spaces; a host (what comes before the first /, ?, #) is needed.
    if (!std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
        return false;
    }
    const auto rest = url.substr(host_at);
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    const auto host = authority.substr(
        authority.rfind('@') == std::string_view::npos ? 0 : authority.rfind('@') + 1);
    return !host.empty() && host.front() != ':';
}

bool valid_idempotency_key(std::string_view key) noexcept {
    return !key.empty() && key.size() <= 255 &&
           std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

expected<upgrade_request, api_error> parse_start_body(std::string_view body) {
    const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        return bad_request("the body is not valid JSON");
    }
    if (!doc.is_object()) {
        return bad_request("the body must be a JSON object");
    }
    upgrade_request r;
    // nlohmann keeps object keys sorted; that order is what "first offending field" means.
    for (const auto& [name, value] : doc.items()) {
        if (auto e = read_field(name, value, r)) {
            return std::move(*e);
        }
    }
    for (const char* required : {"app", "plan"}) {
        if (!doc.contains(required)) {
            return invalid_param(required, std::string(required) + " is required");
        }
    }
    return r;
}

expected<persistence::list_filter, api_error> parse_list_query(const query_params& query) {
    persistence::list_filter f;
    for (const auto& [name, value] : query) {
        if (name == "state") {
            f.in_state = parse_state(value);
            if (!f.in_state) {
                return bad_request("state must be one of the upgrade states, e.g. restoring");
            }
        } else if (name == "app") {
            f.app = value;
        } else if (name == "limit") {
            const auto n = parse_bounded(value, 1, 500);
            if (!n) {
                return bad_request("limit must be an integer from 1 to 500");
            }
            f.limit = static_cast<std::size_t>(*n);
        } else if (name == "after") {
            f.after = value;
        }
    }
    return f;
}

expected<events_query, api_error> parse_events_query(const query_params& query,
                                                     std::optional<std::string_view> last_event_id,
                                                     std::optional<std::string_view> accept) {
    events_query q;
    for (const auto& [name, value] : query) {
        if (name == "after") {
            const auto n = parse_bounded(value, 0, INT64_MAX);
            if (!n) {
                return bad_request("after must be an event seq, an integer 0 or more");
            }
            q.after = *n;
        } else if (name == "follow") {
            if (value != "1" && value != "0" && value != "true" && value != "false") {
                return bad_request("follow must be 1 or 0");
            }
            q.follow = value == "1" || value == "true";
        }
    }
    if (last_event_id) {
        const auto n = parse_bounded(*last_event_id, 0, INT64_MAX);
        if (!n) {
            return bad_request("Last-Event-ID must be an event seq, an integer 0 or more");
        }
        q.after = *n;
    }
    if (accept && accept->find("text/event-stream") != std::string_view::npos) {
        q.follow = true;
    }
    return q;
}

std::optional<command> parse_command(std::string_view name) noexcept {
    for (command c : {command::pause, command::resume, command::cancel, command::retry}) {
        if (to_string(c) == name) {
            return c;
        }
    }
    return std::nullopt;
}

bool is_json_media_type(std::string_view content_type) noexcept {
    auto type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
        type.remove_suffix(1);
    }
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) {
        type.remove_prefix(1);
    }
    std::string lower(type);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return lower == "application/json" ||
           (lower.rfind("application/", 0) == 0 && lower.size() > 17 &&
            lower.compare(lower.size() - 5, 5, "+json") == 0);
}

} // namespace pgshift::api
