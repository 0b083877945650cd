// Data API requests: wait_status, database info, backups, restores, transfers.
#include "heroku/data_api.hpp"

#include "heroku/call_helpers.hpp"
#include "heroku/parse.hpp"
#include "heroku/requests.hpp"
#include "heroku/url.hpp"

namespace pgshift::heroku {

using detail::async_parsed;
using detail::async_parsed_list;

namespace {

std::string database_path(const std::string& addon_id) {
    return "/client/v11/databases/" + encode_segment(addon_id);
}

std::string transfers_path(const std::string& app) {
    return "/client/v11/apps/" + encode_segment(app) + "/transfers";
}

call_spec data_call(std::string method, std::string path, bool idempotent = true) {
    return call_spec{.host = api_host::data,
                     .method = std::move(method),
                     .path = std::move(path),
                     .body = std::nullopt,
                     .headers = {},
                     .idempotent = idempotent};
}

} // namespace

net::awaitable<outcome<wait_status>> async_wait_status(client& c, std::string addon_id) {
    auto spec = data_call("GET", database_path(addon_id) + "/wait_status");
    co_return co_await async_parsed<wait_status>(c, std::move(spec), parse_wait_status);
}

net::awaitable<outcome<database_info>> async_database_info(client& c, std::string addon_id) {
    auto spec = data_call("GET", database_path(addon_id));
    co_return co_await async_parsed<database_info>(c, std::move(spec), parse_database_info);
}

net::awaitable<outcome<transfer>> async_capture_backup(client& c, std::string addon_id) {
    auto spec = data_call("POST", database_path(addon_id) + "/backups", false);
    co_return co_await async_parsed<transfer>(c, std::move(spec), parse_transfer);
}

net::awaitable<outcome<transfer>> async_create_restore(client& c, std::string addon_id,
                                                       std::string backup_url,
                                                       std::vector<std::string> extensions) {
    auto spec = data_call("POST", database_path(addon_id) + "/restores", false);
    spec.body = restore_body(backup_url, std::move(extensions));
    co_return co_await async_parsed<transfer>(c, std::move(spec), parse_transfer);
}

net::awaitable<outcome<transfer>> async_get_transfer(client& c, std::string app,
                                                     std::string uuid_or_num, bool verbose) {
    auto path = transfers_path(app) + "/" + encode_segment(uuid_or_num);
    if (verbose) {
        path += "?verbose=true";
    }
    co_return co_await async_parsed<transfer>(c, data_call("GET", std::move(path)), parse_transfer);
}

net::awaitable<outcome<std::vector<transfer>>> async_list_transfers(client& c, std::string app) {
    co_return co_await async_parsed_list<transfer>(c, data_call("GET", transfers_path(app)),
                                                   parse_transfers);
}

net::awaitable<outcome_void> async_cancel_transfer(client& c, std::string app, std::string uuid) {
    auto path = transfers_path(app) + "/" + encode_segment(uuid) + "/actions/cancel";
    co_return co_await detail::async_done(c, data_call("POST", std::move(path), true));
}

} // namespace pgshift::heroku
