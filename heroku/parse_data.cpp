// Parsers for Data API answers: wait_status, database info, transfers.
#include "heroku/json_fields.hpp"
#include "heroku/parse.hpp"

namespace pgshift::heroku {

using detail::json_fields;

namespace {

wait_status read_wait_status(json_fields& f) {
    return {.waiting = f.boolean("waiting?"),
            .error = f.opt_bool("error?").value_or(false),
            .message = f.opt_str("message").value_or(""),
            .step = f.opt_str("step")};
}

// info[].values are strings in practice; numbers are accepted as their text.
std::vector<std::string> read_info_values(json_fields& item) {
    std::vector<std::string> out;
    const auto& values = item.array("values", true);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i].is_string()) {
            out.push_back(values[i].get<std::string>());
        } else if (values[i].is_number()) {
            out.push_back(values[i].dump());
        } else {
            item.fail("field \"" + item.path_of("values") + "[" + std::to_string(i) +
                      "]\" must be a string");
            break;
        }
    }
    return out;
}

database_info read_database_info(json_fields& f) {
    database_info d;
    d.plan = f.str("plan");
    d.postgres_version = f.opt_str("postgres_version");
    d.resource_url = f.str("resource_url");
    d.num_bytes = f.int64_or_zero("num_bytes");
    d.waiting = f.opt_bool("waiting?");
    d.following = f.opt_str("following");
    const auto& info = f.array("info", true);
    for (std::size_t i = 0; i < info.size() && f.ok(); ++i) {
        auto item = f.element("info", info[i], i);
        info_item entry{.name = item.str("name"), .values = {}};
        entry.values = read_info_values(item);
        d.info.push_back(std::move(entry));
    }
    return d;
}

std::vector<transfer_log> read_logs(json_fields& f) {
    std::vector<transfer_log> out;
    const auto& logs = f.array("logs", false);
    for (std::size_t i = 0; i < logs.size() && f.ok(); ++i) {
        auto entry = f.element("logs", logs[i], i);
        out.push_back({.created_at = entry.opt_time("created_at"),
                       .level = entry.opt_str("level").value_or(""),
                       .message = entry.str("message")});
    }
    return out;
}

transfer read_transfer(json_fields& f) {
    transfer t;
    t.uuid = f.str("uuid");
    t.num = f.int64("num");
    t.from_name = f.opt_str("from_name");
    t.from_type = f.opt_str("from_type");
    t.from_url = f.opt_str("from_url");
    t.to_name = f.opt_str("to_name");
    t.to_type = f.opt_str("to_type");
    t.to_url = f.opt_str("to_url");
    t.source_bytes = f.int64_or_zero("source_bytes");
    t.processed_bytes = f.int64_or_zero("processed_bytes");
    // null until the transfer ends; pgshift only believes it together with finished_at.
    t.succeeded = f.opt_bool("succeeded");
    t.warnings = f.int64_or_zero("warnings");
    t.created_at = f.opt_time("created_at");
    t.started_at = f.opt_time("started_at");
    t.finished_at = f.opt_time("finished_at");
    t.canceled_at = f.opt_time("canceled_at");
    t.updated_at = f.opt_time("updated_at");
    t.logs = read_logs(f);
    return t;
}

} // namespace

outcome<wait_status> parse_wait_status(std::string_view body) {
    return detail::parse_object<wait_status>(body, read_wait_status);
}

outcome<database_info> parse_database_info(std::string_view body) {
    return detail::parse_object<database_info>(body, read_database_info);
}

outcome<transfer> parse_transfer(std::string_view body) {
    return detail::parse_object<transfer>(body, read_transfer);
}

outcome<std::vector<transfer>> parse_transfers(std::string_view body) {
    return detail::parse_array<transfer>(body, read_transfer);
}

} // namespace pgshift::heroku
