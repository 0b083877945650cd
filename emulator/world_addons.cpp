// The emulated account's add-ons and attachments: create, destroy, resolve, attach, promote.
#include "emulator/catalog.hpp"
#include "emulator/ids.hpp"
#include "emulator/world.hpp"
#include "emulator/world_state.hpp"

#include <algorithm>

namespace pgshift::emulator {

namespace {

attachment* find_named(world_state& s, const app& a, const std::string& name,
                       const std::optional<std::string>& ns) {
    for (auto& [id, at] : s.attachments) {
        if (at.app_id == a.id && at.name == name && at.namespace_ == ns) {
            return &at;
        }
    }
    return nullptr;
}

std::string free_color(world_state& s, const app& a) {
    for (;;) {
        auto name = attachment_color_name(s.colors_used++);
        if (!find_named(s, a, name, std::nullopt)) {
            return name;
        }
    }
}

// Attaches `ad` to `a` as `name`. Replacing another add-on's attachment of that name needs
// `confirm` == app name (Heroku answers 423 otherwise); it detaches the old one, and both
// moves are releases ("Detach NAME", "Attach NAME") as the CLI's pg:promote expects.
outcome<attachment*> attach_locked(world_state& s, app& a, const addon& ad, const std::string& name,
                                   const std::optional<std::string>& ns,
                                   const std::optional<std::string>& confirm, time_point now) {
    auto* old = find_named(s, a, name, ns);
    if (old && old->addon_id == ad.id) {
        return invalid(ad.name + " is already attached to " + a.name + " as " + name + ".");
    }
    std::string replaced;
    if (old) {
        if (confirm != a.name) {
            return api_error{423,
                             "confirmation_required",
                             "This would replace the " + name + " attachment of " + a.name +
                                 ". To proceed, confirm with the app name.",
                             {}};
        }
        replaced = s.addons.at(old->addon_id).name;
        add_release(s, a, "Detach " + name + " (@ref:" + replaced + ")", now);
        s.attachments.erase(old->id);
    }
    attachment at;
    at.id = make_uuid();
    at.name = name;
    at.namespace_ = ns;
    at.addon_id = ad.id;
    at.app_id = a.id;
    at.created_at = at.updated_at = now;
    add_release(s, a, "Attach " + name + " (@ref:" + ad.name + ")", now);
    const bool promotion = name == "DATABASE" && !ns && old;
    record(s, now, promotion ? "promotion" : "attachment_created", a.name, ad.name,
           promotion ? name + " moved from " + replaced : name);
    return &s.attachments.emplace(at.id, at).first->second;
}

bool attached_to(const world_state& s, const addon& ad, const app& a) {
    return std::any_of(s.attachments.begin(), s.attachments.end(), [&](const auto& kv) {
        return kv.second.addon_id == ad.id && kv.second.app_id == a.id;
    });
}

// Only the owning (billing) app destroys an add-on; another app that merely has it attached
// is refused, and so is the owner while other apps still use it, unless `force` says so
// (the CLI's --force: "allow destruction even if connected to other apps").
std::optional<api_error> refuse_destroy(const world_state& s, const addon& ad, const app& owner,
                                        const app* through, bool force) {
    if (through && through->id != owner.id) {
        if (!attached_to(s, ad, *through)) {
            return addon_not_found(ad.name);
        }
        return invalid(ad.name + " is on " + owner.name + " not " + through->name +
                       ": only its billing app can destroy it.");
    }
    for (const auto& [id, at] : s.attachments) {
        if (at.addon_id == ad.id && at.app_id != owner.id && !force) {
            return invalid(ad.name + " is attached to other apps (" + ref_of(s, at.app_id).name +
                           "); destroy it with force to detach "
                           "them too.");
        }
    }
    return std::nullopt;
}

} // namespace

outcome<addon_view> world::create_addon(std::string_view app_key, const addon_request& r) {
    auto plan = check_plan(r.plan);
    if (!plan) {
        return plan.err();
    }
    const auto asked = r.config.find("version");
    auto version = check_version(
        plan.value(), asked == r.config.end() ? std::nullopt : std::optional{asked->second});
    if (!version) {
        return version.err();
    }
    const auto now = clock_();
    std::unique_lock lock{mu_};
    auto& s = *s_;
    auto* a = lookup_app(s, app_key);
    if (!a) {
        return app_not_found(app_key);
    }
    if (r.name && lookup_addon(s, *r.name)) {
        return invalid("Name " + *r.name + " is already taken by another add-on.");
    }
    addon ad;
    ad.id = make_uuid();
    ad.name = r.name.value_or(make_addon_name());
    ad.app_id = a->id;
    ad.plan = plan.value();
    ad.postgres_version = version.value();
    ad.created_at = ad.updated_at = now;
    ad.ready_at = now + s.t.provisioning;
    ad.provisioning_fails = r.fail_provisioning;
    ad.simulated_tables = 0;
    ad.real = host_ != nullptr;
    if (!ad.real) {
        ad.database_at = now;
        ad.resource_url = simulated_url(ad.id);
    }
    const auto name = r.attachment_name.value_or(free_color(s, *a));
    auto att = attach_locked(s, *a, ad, name, std::nullopt, r.confirm, now);
    if (!att) {
        return att.err();
    }
    s.addons.emplace(ad.id, ad);
    record(s, now, "addon_created", a->name, ad.name, ad.plan + " version " + ad.postgres_version);
    auto view = view_addon(s, s.addons.at(ad.id), now);
    lock.unlock();
    if (ad.real && !ad.provisioning_fails) {
        create_database_async(ad.id, a->name);
    }
    return view;
}

outcome<std::vector<addon_view>> world::addons(std::optional<std::string_view> app_key) const {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    const app* a = app_key ? lookup_app(*s_, *app_key) : nullptr;
    if (app_key && !a) {
        return app_not_found(*app_key);
    }
    std::vector<addon_view> out;
    for (const auto& [id, ad] : s_->addons) {
        if (!ad.destroyed_at && (!a || ad.app_id == a->id)) {
            out.push_back(view_addon(*s_, ad, now));
        }
    }
    return out;
}

outcome<addon_view> world::find_addon(std::optional<std::string_view> app_key,
                                      std::string_view key) const {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    const app* a = app_key ? lookup_app(*s_, *app_key) : nullptr;
    if (app_key && !a) {
        return app_not_found(*app_key);
    }
    auto* ad = lookup_addon(*s_, key);
    if (!ad) {
        return addon_not_found(key);
    }
    // Heroku lists an add-on under every app it is attached to, not only its owner.
    bool visible = !a || ad->app_id == a->id;
    for (const auto& [id, at] : s_->attachments) {
        visible = visible || (at.addon_id == ad->id && at.app_id == a->id);
    }
    if (!visible) {
        return addon_not_found(key);
    }
    return view_addon(*s_, *ad, now);
}

outcome<addon_view> world::destroy_addon(std::optional<std::string_view> app_key,
                                         std::string_view key, bool force) {
    const auto now = clock_();
    std::unique_lock lock{mu_};
    auto* ad = lookup_addon(*s_, key);
    const app* a = app_key ? lookup_app(*s_, *app_key) : nullptr;
    if (app_key && !a) {
        return app_not_found(*app_key);
    }
    if (!ad) {
        return addon_not_found(key);
    }
    auto& owner = s_->apps.at(ad->app_id);
    if (auto refused = refuse_destroy(*s_, *ad, owner, a, force)) {
        return *refused;
    }
    for (auto it = s_->attachments.begin(); it != s_->attachments.end();) {
        if (it->second.addon_id != ad->id) {
            ++it;
            continue;
        }
        auto& holder = s_->apps.at(it->second.app_id);
        add_release(*s_, holder, "Detach " + it->second.name + " (@ref:" + ad->name + ")", now);
        it = s_->attachments.erase(it);
    }
    ad->destroyed_at = now;
    ad->updated_at = now;
    record(*s_, now, "addon_destroyed", owner.name, ad->name);
    auto view = view_addon(*s_, *ad, now);
    const bool real = ad->real && ad->database_at;
    const auto id = ad->id;
    lock.unlock();
    if (real) {
        drop_database_async(id);
    }
    return view;
}

outcome<std::vector<attachment_view>>
world::attachments(std::optional<std::string_view> app_key) const {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    const app* a = app_key ? lookup_app(*s_, *app_key) : nullptr;
    if (app_key && !a) {
        return app_not_found(*app_key);
    }
    std::vector<attachment_view> out;
    for (const auto& [id, at] : s_->attachments) {
        if (!a || at.app_id == a->id) {
            out.push_back(view_attachment(*s_, at, now));
        }
    }
    return out;
}

outcome<attachment_view> world::find_attachment(std::optional<std::string_view> app_key,
                                                std::string_view key) const {
    auto all = attachments(app_key);
    if (!all) {
        return all.err();
    }
    for (const auto& v : all.value()) {
        if (v.record.id == key || v.record.name == key) {
            return v;
        }
    }
    return not_found("add_on attachment", "Couldn't find that add-on attachment.");
}

outcome<attachment_view> world::attach(const attachment_request& r) {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, r.app);
    if (!a) {
        return app_not_found(r.app);
    }
    auto* ad = lookup_addon(*s_, r.addon);
    if (!ad) {
        return addon_not_found(r.addon);
    }
    const auto name = r.name.value_or(free_color(*s_, *a));
    auto at = attach_locked(*s_, *a, *ad, name, r.namespace_, r.confirm, now);
    if (!at) {
        return at.err();
    }
    return view_attachment(*s_, *at.value(), now);
}

outcome<attachment_view> world::detach(std::string_view id) {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto it = s_->attachments.find(id);
    if (it == s_->attachments.end()) {
        return not_found("add_on attachment", "Couldn't find that add-on attachment.");
    }
    auto view = view_attachment(*s_, it->second, now);
    auto& a = s_->apps.at(it->second.app_id);
    add_release(*s_, a, "Detach " + view.record.name + " (@ref:" + view.addon.record.name + ")",
                now);
    record(*s_, now, "attachment_deleted", a.name, view.addon.record.name, view.record.name);
    s_->attachments.erase(it);
    return view;
}

} // namespace pgshift::emulator
