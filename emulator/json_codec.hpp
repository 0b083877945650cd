// Heroku-shaped JSON for the world's snapshots (the JSON edge of the emulator).
#pragma once

#include "emulator/catalog.hpp"
#include "emulator/views.hpp"

#include <nlohmann/json.hpp>

namespace pgshift::emulator {

nlohmann::json to_json(const app& a);
nlohmann::json to_json(const dyno_type& d, const app_ref& a);
nlohmann::json to_json(const addon_view& v);
nlohmann::json to_json(const attachment_view& v);
nlohmann::json to_json(const release_view& v);
nlohmann::json to_json(const wait_status& w);
nlohmann::json to_json(const database_view& v);
nlohmann::json to_json(const transfer_view& v, bool verbose);
nlohmann::json to_json(const ledger_entry& e);
nlohmann::json to_json(const plan_info& p); // a Platform API plan object

} // namespace pgshift::emulator
