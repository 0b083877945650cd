// Lock-free helpers over the world's records: lookups, snapshots, releases, the ledger.
#include "emulator/world_state.hpp"

#include "emulator/ids.hpp"

namespace pgshift::emulator {

app* lookup_app(world_state& s, std::string_view key) {
    if (auto it = s.apps.find(key); it != s.apps.end()) {
        return &it->second;
    }
    for (auto& [id, a] : s.apps) {
        if (a.name == key) {
            return &a;
        }
    }
    return nullptr;
}

addon* lookup_addon(world_state& s, std::string_view key) {
    for (auto& [id, a] : s.addons) {
        if (!a.destroyed_at && (a.id == key || a.name == key)) {
            return &a;
        }
    }
    return nullptr;
}

api_error app_not_found(std::string_view key) {
    return not_found("app", "Couldn't find that app: " + std::string(key) + ".");
}

api_error addon_not_found(std::string_view key) {
    return not_found("add_on", "Couldn't find that add-on: " + std::string(key) + ".");
}

app_ref ref_of(const world_state& s, const std::string& app_id) {
    if (auto it = s.apps.find(app_id); it != s.apps.end()) {
        return {it->second.id, it->second.name};
    }
    return {app_id, app_id};
}

addon_view view_addon(const world_state& s, const addon& a, time_point now) {
    addon_view v{a, a.state_at(now), ref_of(s, a.app_id), {}};
    if (v.state == addon_state::provisioned) {
        for (const auto& [id, at] : s.attachments) {
            if (at.addon_id == a.id) {
                v.config_vars.push_back(at.config_var());
            }
        }
    }
    return v;
}

attachment_view view_attachment(const world_state& s, const attachment& at, time_point now) {
    attachment_view v{at, ref_of(s, at.app_id), {}, {}};
    if (auto it = s.addons.find(at.addon_id); it != s.addons.end()) {
        v.addon = view_addon(s, it->second, now);
    }
    if (v.addon.state == addon_state::provisioned) {
        v.config_vars.push_back(at.config_var());
    }
    return v;
}

transfer_view view_transfer(const world_state& s, const transfer& t) {
    return {t, ref_of(s, t.app_id)};
}

std::map<std::string, std::string> effective_config(const world_state& s, const app& a,
                                                    time_point now) {
    auto vars = a.config;
    for (const auto& [id, at] : s.attachments) {
        if (at.app_id != a.id) {
            continue;
        }
        auto it = s.addons.find(at.addon_id);
        if (it != s.addons.end() && it->second.state_at(now) == addon_state::provisioned) {
            vars[at.config_var()] = it->second.resource_url;
        }
    }
    return vars;
}

bool has_release_phase(const app& a) {
    for (const auto& d : a.formation) {
        if (d.type == "release") {
            return true;
        }
    }
    return false;
}

std::string simulated_url(const std::string& addon_id) {
    const auto tag = addon_id.substr(0, 8);
    return "postgres://u" + tag + ":p@ec2-simulated.compute-1.amazonaws.com:5432/d" + tag;
}

void add_release(world_state& s, app& a, std::string description, time_point now) {
    release r;
    r.id = make_uuid();
    r.app_id = a.id;
    r.description = std::move(description);
    r.version = a.next_release_version++;
    r.created_at = now;
    // Only apps with a release phase make releases wait; the rest succeed at once.
    r.release_phase = has_release_phase(a);
    r.fails = r.release_phase && a.release_phase_fails;
    r.settles_at = r.release_phase ? now + s.t.release_phase : now;
    s.releases.push_back(std::move(r));
}

void record(world_state& s, time_point now, std::string kind, std::string app, std::string subject,
            std::string detail) {
    const auto seq = static_cast<std::int64_t>(s.ledger.size()) + 1;
    s.ledger.push_back(
        {seq, now, std::move(kind), std::move(app), std::move(subject), std::move(detail)});
}

void refresh_transfers(world_state& s, time_point now) {
    for (auto& [uuid, t] : s.transfers) {
        const bool was_done = t.finished_at.has_value();
        advance(t, now);
        if (was_done || !t.finished_at) {
            continue;
        }
        const auto app_name = ref_of(s, t.app_id).name;
        record(s, *t.finished_at, "transfer_finished", app_name, t.display_name(),
               t.succeeded ? "succeeded" : "failed");
        // A simulated restore leaves its target as large as the backup it came from.
        if (t.succeeded && t.kind == transfer_kind::restore) {
            if (auto it = s.addons.find(t.target_addon_id); it != s.addons.end()) {
                it->second.simulated_bytes = t.source_bytes;
                it->second.simulated_tables = t.source_tables;
            }
        }
    }
}

} // namespace pgshift::emulator
