// Typed Heroku Data (Postgres) API calls pgshift makes (heroku-api.md §3.2, §3.5-3.8, §4).
#pragma once

#include "heroku/client.hpp"
#include "heroku/data_types.hpp"

#include <string>
#include <vector>

namespace pgshift::heroku {

// Same rules as platform_api.hpp. addon_id is the add-on's UUID (attachment.addon.id);
// app is the add-on's billing app (name or id) for transfer calls.

// GET /client/v11/databases/{id}/wait_status. A 404 (is_not_found) means the Data API does
// not know the database yet: expected for a while after provisioning.
net::awaitable<outcome<wait_status>> async_wait_status(client& c, std::string addon_id);
// GET /client/v11/databases/{id}. resource_url is a credential: never log it.
net::awaitable<outcome<database_info>> async_database_info(client& c, std::string addon_id);

// POST /client/v11/databases/{id}/backups, no body. Not idempotent: on outcome_unknown list
// the transfers and adopt a backup of this database created after the step began.
net::awaitable<outcome<transfer>> async_capture_backup(client& c, std::string addon_id);
// POST /client/v11/databases/{id}/restores {"backup_url", "extensions"}: the extensions
// Heroku pre-installs before pg_restore (pg:backups:restore --extensions). Not idempotent,
// as capture.
net::awaitable<outcome<transfer>> async_create_restore(client& c, std::string addon_id,
                                                       std::string backup_url,
                                                       std::vector<std::string> extensions = {});

// GET /client/v11/apps/{app}/transfers/{uuid or num}; verbose adds logs[].
net::awaitable<outcome<transfer>> async_get_transfer(client& c, std::string app,
                                                     std::string uuid_or_num, bool verbose = false);
net::awaitable<outcome<std::vector<transfer>>> async_list_transfers(client& c, std::string app);
// POST .../transfers/{uuid}/actions/cancel. Retried like a GET: cancelling twice is harmless.
net::awaitable<outcome_void> async_cancel_transfer(client& c, std::string app, std::string uuid);

} // namespace pgshift::heroku
