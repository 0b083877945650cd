// The emulated account's databases: resolvers, wait_status, info, and real database work.
#include "emulator/ids.hpp"
#include "emulator/world.hpp"
#include "emulator/world_state.hpp"

namespace pgshift::emulator {

outcome<std::vector<attachment_view>>
world::resolve_attachment(std::optional<std::string_view> app_key, std::string_view key) const {
    auto all = attachments(app_key);
    if (!all) {
        return all.err();
    }
    std::vector<attachment_view> out;
    for (const auto& v : all.value()) {
        const auto& n = v.record.name;
        // Heroku matches the attachment name, its config var, its id, and (our choice, as
        // the contract leaves it open) the add-on's own name.
        if (n == key || n + "_URL" == key || v.record.id == key || v.addon.record.name == key) {
            out.push_back(v);
        }
    }
    if (out.empty()) {
        return not_found("add_on attachment", "Couldn't find that add-on attachment.");
    }
    return out;
}

outcome<std::vector<addon_view>> world::resolve_addon(std::optional<std::string_view> app_key,
                                                      std::string_view key) const {
    auto direct = find_addon(app_key, key);
    if (direct) {
        return std::vector<addon_view>{direct.value()};
    }
    if (!app_key) {
        return direct.err();
    }
    // With an app, an attachment name (DATABASE, HEROKU_POSTGRESQL_PINK) names its add-on.
    auto via = resolve_attachment(app_key, key);
    if (!via) {
        return not_found("add_on", "Couldn't find that add-on.");
    }
    std::vector<addon_view> out;
    for (const auto& v : via.value()) {
        const bool seen = std::any_of(out.begin(), out.end(), [&](const addon_view& x) {
            return x.record.id == v.addon.record.id;
        });
        if (!seen) {
            out.push_back(v.addon);
        }
    }
    return out;
}

outcome<wait_status> world::database_wait_status(std::string_view key) const {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* ad = lookup_addon(*s_, key);
    // The Data API learns of a new database only a while after creation: 404 until then.
    if (!ad || now < ad->created_at + s_->t.wait_status_404) {
        return not_found("database", "Couldn't find that database.");
    }
    const auto state = ad->state_at(now);
    if (state == addon_state::deprovisioned) {
        return wait_status{false, true, "deprovisioned"};
    }
    if (state != addon_state::provisioned) {
        return wait_status{true, false, "provisioning"};
    }
    const auto since = std::max(ad->ready_at, ad->database_at.value_or(ad->ready_at));
    if (now < since + s_->t.waiting) {
        return wait_status{true, false, "pending"};
    }
    return wait_status{false, false, "available"};
}

outcome<database_view> world::database(std::string_view key) const {
    database_view v;
    bool real = false;
    {
        const auto now = clock_();
        std::lock_guard lock{mu_};
        auto* ad = lookup_addon(*s_, key);
        if (!ad || ad->state_at(now) != addon_state::provisioned) {
            return not_found("database", "Couldn't find that database.");
        }
        v.addon = view_addon(*s_, *ad, now);
        v.bytes = ad->simulated_bytes;
        v.tables = ad->simulated_tables;
        const auto since = std::max(ad->ready_at, ad->database_at.value_or(ad->ready_at));
        v.waiting = now < since + s_->t.waiting;
        for (const auto& [id, at] : s_->attachments) {
            if (at.addon_id == ad->id) {
                v.attachment_names.push_back(at.name);
            }
        }
        real = ad->real;
    }
    if (real) {
        // Two quick catalog queries, no lock held. They stay on the event loop: handlers
        // answer synchronously, and a cached count would lag behind what clients just wrote.
        try {
            v.bytes = host_->size(v.addon.record.id);
            v.tables = host_->table_count(v.addon.record.id);
        } catch (const std::exception&) {
            v.bytes = 0; // info stays answerable while the server hiccups
            v.tables = 0;
        }
    }
    return v;
}

void world::create_database_async(const std::string& addon_id, const std::string& name) {
    // CREATE DATABASE takes long enough to stall the event loop: do it on a worker, and let
    // the add-on report `provisioning` until both the database and the delay are there.
    std::lock_guard lock{mu_};
    workers_.emplace_back([this, addon_id, name] {
        std::string url;
        try {
            url = host_->create(addon_id, name);
        } catch (const std::exception&) {
            std::lock_guard inner{mu_};
            if (auto it = s_->addons.find(addon_id); it != s_->addons.end()) {
                it->second.provisioning_fails = true;
                it->second.database_at = clock_();
            }
            return;
        }
        {
            std::lock_guard inner{mu_};
            auto it = s_->addons.find(addon_id);
            if (it != s_->addons.end() && !it->second.destroyed_at) {
                it->second.resource_url = url;
                it->second.database_at = clock_();
                return;
            }
        }
        try {
            host_->drop(addon_id); // reset or destroyed while we were creating it
        } catch (const std::exception&) {
            // Only a leftover database on a throwaway server.
        }
    });
}

void world::drop_database_async(const std::string& addon_id) {
    std::lock_guard lock{mu_};
    workers_.emplace_back([this, addon_id] {
        try {
            host_->drop(addon_id);
        } catch (const std::exception&) {
            // The add-on is already deprovisioned for the API; a leftover database only
            // costs disk on a throwaway test server.
        }
    });
}

} // namespace pgshift::emulator
