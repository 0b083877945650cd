// Typed Platform API calls pgshift makes (heroku-api.md §3, §5), one function per request.
#pragma once

#include "heroku/client.hpp"
#include "heroku/requests.hpp"
#include "heroku/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pgshift::heroku {

// All are coroutines on c's executor; c must outlive them. Strings are taken by value so a
// call may outlive its arguments. Errors are api_errors (client.hpp); a 2xx body that does
// not validate is "invalid_response" naming the field: retryable (is_retryable) after the
// client's own attempts, and outcome_unknown for a POST. app is a name or an id.
//
// pgshiftd calls them from one place, its interpreter (daemon/interpreter.cpp), on behalf of
// the step plans, which name requests as descriptors (statemachine/requests.hpp) and
// reconcile an outcome_unknown POST by looking before sending it again.

net::awaitable<outcome<app_info>> async_get_app(client& c, std::string app);
net::awaitable<outcome<app_info>> async_set_maintenance(client& c, std::string app, bool on);

net::awaitable<outcome<std::vector<formation_entry>>> async_list_formation(client& c,
                                                                           std::string app);
// PATCH /apps/{app}/formation {"updates": [...]}: answers the whole formation.
net::awaitable<outcome<std::vector<formation_entry>>>
async_scale_formation(client& c, std::string app, std::vector<formation_update> updates);

// GET /apps/{app}/addon-attachments (paged), plain v3: addon.plan_name stays "" (read the plan
// with async_get_addon).
net::awaitable<outcome<std::vector<attachment>>> async_list_attachments(client& c, std::string app);
// POST /addon-attachments: the promotion and the keep-an-alias request. Not idempotent:
// on outcome_unknown list the attachments before sending it again.
net::awaitable<outcome<attachment>> async_create_attachment(client& c,
                                                            attachment_create_request request);

// POST /apps/{app}/addons. Not idempotent: on outcome_unknown look the deterministic name up
// (async_get_addon) first. A 423 comes back as is_confirmation_required(err).
net::awaitable<outcome<addon>> async_create_addon(client& c, std::string app,
                                                  addon_create_request request);
// GET /apps/{app}/addons/{name or id}: 404 (is_not_found) when there is none.
net::awaitable<outcome<addon>> async_get_addon(client& c, std::string app, std::string name_or_id);
net::awaitable<outcome<std::vector<addon>>> async_list_addons(client& c, std::string app);
// DELETE /apps/{app_id}/addons/{addon_id} {"force":false}: deprovisioned or deprovisioning.
net::awaitable<outcome<addon>> async_destroy_addon(client& c, std::string app_id,
                                                   std::string addon_id);

// GET /apps/{app}/config-vars. Values are credentials: never log them.
net::awaitable<outcome<config_vars>> async_get_config_vars(client& c, std::string app);

// The newest max releases (Range: version ..; max=N, order=desc), newest first; one page.
net::awaitable<outcome<std::vector<release>>> async_list_releases(client& c, std::string app,
                                                                  int max = 5);
// The oldest max releases after `version` (Range: version ]V..; max=N), oldest first; one page.
net::awaitable<outcome<std::vector<release>>>
async_list_releases_after(client& c, std::string app, std::int64_t version, int max = 10);
net::awaitable<outcome<release>> async_get_release(client& c, std::string app,
                                                   std::string id_or_version);

// GET /account/rate-limits: free (does not count against the limit).
net::awaitable<outcome<rate_limits>> async_get_rate_limits(client& c);

} // namespace pgshift::heroku
