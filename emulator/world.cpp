// The emulated account: apps, maintenance, formation, config vars, releases, seeding, reset.
#include "emulator/world.hpp"

#include "emulator/ids.hpp"
#include "emulator/world_state.hpp"

#include <algorithm>

namespace pgshift::emulator {

world::world(clock_fn clock, std::shared_ptr<database_host> host, std::filesystem::path state_dir)
    : clock_(std::move(clock))
    , host_(std::move(host))
    , state_dir_(std::move(state_dir))
    , s_(std::make_unique<world_state>()) {}

world::~world() {
    // Jobs and workers call back into the world from their threads: end them first.
    std::map<std::string, std::unique_ptr<database_job>> jobs;
    std::vector<std::jthread> workers;
    {
        std::lock_guard lock{mu_};
        jobs.swap(s_->jobs);
        workers.swap(workers_);
    }
}

void world::reset() {
    {
        std::map<std::string, std::unique_ptr<database_job>> jobs;
        std::vector<std::jthread> workers;
        {
            std::lock_guard lock{mu_};
            jobs.swap(s_->jobs);
            workers.swap(workers_);
        }
        // Destroyed here, outside the lock: finishing jobs lock the world to report.
    }
    std::vector<std::string> real;
    {
        std::lock_guard lock{mu_};
        for (const auto& [id, a] : s_->addons) {
            if (a.real && a.database_at && !a.destroyed_at) {
                real.push_back(id);
            }
        }
    }
    for (const auto& id : real) {
        try {
            host_->drop(id);
        } catch (const std::exception&) {
            // A database that is already gone is what a reset wants anyway.
        }
    }
    std::lock_guard lock{mu_};
    s_ = std::make_unique<world_state>();
}

timings world::get_timings() const {
    std::lock_guard lock{mu_};
    return s_->t;
}

void world::set_timings(const timings& t) {
    std::lock_guard lock{mu_};
    s_->t = t;
}

std::vector<ledger_entry> world::ledger() const {
    std::lock_guard lock{mu_};
    refresh_transfers(*s_, clock_());
    return s_->ledger;
}

namespace {

dyno_type make_dyno(std::string type, int quantity, time_point now) {
    dyno_type d;
    d.id = make_uuid();
    d.type = std::move(type);
    d.quantity = quantity;
    d.command = d.type == "release" ? "bin/release" : "bin/" + d.type;
    d.created_at = d.updated_at = now;
    return d;
}

void attach_seed(world_state& s, const addon& db, const std::string& app_id, std::string name,
                 std::optional<std::string> ns, time_point now) {
    attachment at;
    at.id = make_uuid();
    at.name = std::move(name);
    at.namespace_ = std::move(ns);
    at.addon_id = db.id;
    at.app_id = app_id;
    at.created_at = at.updated_at = now;
    s.attachments.emplace(at.id, at);
}

app& file_seed_app(world_state& s, const seed_request& r, time_point now) {
    app a;
    a.id = make_uuid();
    a.name = r.name;
    a.created_at = a.updated_at = now;
    for (const auto& [type, qty] : r.formation) {
        a.formation.push_back(make_dyno(type, qty, now));
    }
    if (r.release_phase && !has_release_phase(a)) {
        a.formation.push_back(make_dyno("release", 0, now));
    }
    a.release_phase_fails = r.release_phase && r.release_phase_fails;
    return s.apps.emplace(a.id, a).first->second;
}

// Files a seeded app with its provisioned DATABASE add-on; seeding is set-up, not an effect
// a test counts, so nothing goes to the ledger or the releases.
addon_view install_seed(world_state& s, const seed_request& r, addon db, time_point now) {
    const auto& a = file_seed_app(s, r, now);
    db.app_id = a.id;
    db.plan = r.plan;
    db.postgres_version = r.postgres_version;
    db.created_at = db.updated_at = db.ready_at = now;
    db.database_at = now;
    db.simulated_bytes = db.real ? 0 : r.size_bytes.value_or(s.t.simulated_size_bytes);
    db.simulated_tables = 3;
    if (!db.real) {
        db.resource_url = simulated_url(db.id);
    }
    attach_seed(s, db, a.id, "DATABASE", std::nullopt, now);
    attach_seed(s, db, a.id, attachment_color_name(s.colors_used++), std::nullopt, now);
    if (r.pooler) {
        attach_seed(s, db, a.id, "DATABASE_CONNECTION_POOL", "connection-pooling:default", now);
    }
    const auto& filed = s.addons.emplace(db.id, db).first->second;
    return view_addon(s, filed, now);
}

// The live add-on `owner_key`'s app has as DATABASE, or an error naming what is missing.
outcome<addon*> database_addon_of(world_state& s, std::string_view owner_key) {
    auto* owner = lookup_app(s, owner_key);
    if (!owner) {
        return invalid("database_of names no app: " + std::string(owner_key));
    }
    for (auto& [id, at] : s.attachments) {
        if (at.app_id == owner->id && at.name == "DATABASE" && !at.namespace_) {
            return &s.addons.at(at.addon_id);
        }
    }
    return invalid("database_of: " + owner->name + " has no DATABASE add-on");
}

} // namespace

outcome<addon_view> world::seed_shared_app(const seed_request& r) {
    std::string addon_id;
    bool real = false;
    {
        std::lock_guard lock{mu_};
        auto shared = database_addon_of(*s_, *r.database_of);
        if (!shared) {
            return shared.err();
        }
        addon_id = shared.value()->id;
        real = shared.value()->real;
    }
    if (real && !r.sql.empty()) {
        try {
            host_->execute(addon_id, r.sql); // test set-up: may block
        } catch (const std::exception& e) {
            return api_error{500, "seed_failed", e.what(), {}};
        }
    }
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto shared = database_addon_of(*s_, *r.database_of); // it may have moved meanwhile
    if (!shared) {
        return shared.err();
    }
    if (lookup_app(*s_, r.name)) {
        return invalid("Name " + r.name + " is already taken");
    }
    // As on Heroku, the add-on stays its owner's (billing app): only an attachment is new.
    const auto& a = file_seed_app(*s_, r, now);
    attach_seed(*s_, *shared.value(), a.id, "DATABASE", std::nullopt, now);
    if (r.pooler) {
        attach_seed(*s_, *shared.value(), a.id, "DATABASE_CONNECTION_POOL",
                    "connection-pooling:default", now);
    }
    return view_addon(*s_, *shared.value(), now);
}

outcome<addon_view> world::seed_app(const seed_request& r) {
    if (r.name.empty()) {
        return invalid("name is required");
    }
    if (r.database_of) {
        return seed_shared_app(r);
    }
    {
        std::lock_guard lock{mu_};
        if (lookup_app(*s_, r.name)) {
            return invalid("Name " + r.name + " is already taken");
        }
    }
    addon db;
    db.id = make_uuid();
    db.name = make_addon_name();
    if (host_) {
        // Control calls may block: seeding is test set-up, not Heroku traffic.
        try {
            db.resource_url = host_->create(db.id, r.name);
            db.real = true;
            if (!r.sql.empty()) {
                host_->execute(db.id, r.sql);
            }
        } catch (const std::exception& e) {
            if (db.real) {
                drop_database_async(db.id);
            }
            return api_error{500, "seed_failed", e.what(), {}};
        }
    }
    std::lock_guard lock{mu_};
    return install_seed(*s_, r, std::move(db), clock_());
}

std::vector<app_ref> world::apps() const {
    std::lock_guard lock{mu_};
    std::vector<app_ref> out;
    for (const auto& [id, a] : s_->apps) {
        out.push_back({a.id, a.name});
    }
    return out;
}

outcome<app> world::find_app(std::string_view key) const {
    std::lock_guard lock{mu_};
    if (auto* a = lookup_app(*s_, key)) {
        return *a;
    }
    return app_not_found(key);
}

outcome<app> world::update_app(std::string_view key, const app_update& u) {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, key);
    if (!a) {
        return app_not_found(key);
    }
    if (u.name && *u.name != a->name) {
        if (u.name->empty() || lookup_app(*s_, *u.name)) {
            return invalid("Name is already taken");
        }
        a->name = *u.name;
    }
    if (u.maintenance && *u.maintenance != a->maintenance) {
        a->maintenance = *u.maintenance;
        record(*s_, now, "maintenance", a->name, a->name, a->maintenance ? "on" : "off");
    }
    a->updated_at = now;
    return *a;
}

outcome<std::vector<dyno_type>> world::formation(std::string_view key) const {
    std::lock_guard lock{mu_};
    if (auto* a = lookup_app(*s_, key)) {
        return a->formation;
    }
    return app_not_found(key);
}

outcome<std::vector<dyno_type>> world::scale(std::string_view key,
                                             std::vector<formation_update> updates) {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, key);
    if (!a) {
        return app_not_found(key);
    }
    // Validate everything first: a batch either applies whole or not at all.
    for (const auto& u : updates) {
        auto it = std::find_if(a->formation.begin(), a->formation.end(),
                               [&](const dyno_type& d) { return d.type == u.type; });
        if (it == a->formation.end()) {
            return not_found("formation", "Couldn't find that process type (" + u.type + ").");
        }
        const int next = u.delta ? it->quantity + *u.delta : u.quantity.value_or(it->quantity);
        if (next < 0) {
            return invalid("quantity must be 0 or more");
        }
    }
    std::string detail;
    for (const auto& u : updates) {
        auto& d = *std::find_if(a->formation.begin(), a->formation.end(),
                                [&](const dyno_type& x) { return x.type == u.type; });
        d.quantity = u.delta ? d.quantity + *u.delta : u.quantity.value_or(d.quantity);
        if (u.size) {
            d.size = *u.size;
        }
        d.updated_at = now;
        detail += (detail.empty() ? "" : " ") + d.type + "=" + std::to_string(d.quantity);
    }
    record(*s_, now, "formation", a->name, a->name, detail);
    return a->formation;
}

outcome<std::map<std::string, std::string>> world::config_vars(std::string_view key) const {
    std::lock_guard lock{mu_};
    if (auto* a = lookup_app(*s_, key)) {
        return effective_config(*s_, *a, clock_());
    }
    return app_not_found(key);
}

outcome<std::map<std::string, std::string>>
world::set_config_vars(std::string_view key,
                       const std::map<std::string, std::optional<std::string>>& vars) {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, key);
    if (!a) {
        return app_not_found(key);
    }
    std::string names;
    for (const auto& [name, value] : vars) {
        if (value) {
            a->config[name] = *value;
        } else {
            a->config.erase(name);
        }
        names += (names.empty() ? "" : ", ") + name;
    }
    add_release(*s_, *a, "Set " + names + " config vars", now);
    record(*s_, now, "config_vars", a->name, names);
    return effective_config(*s_, *a, now);
}

outcome<std::vector<release_view>> world::releases(std::string_view key) const {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, key);
    if (!a) {
        return app_not_found(key);
    }
    std::vector<release_view> out;
    for (const auto& r : s_->releases) {
        if (r.app_id == a->id) {
            out.push_back({r, r.status_at(now), {a->id, a->name}, false});
        }
    }
    for (auto it = out.rbegin(); it != out.rend(); ++it) {
        if (it->status == release_status::succeeded) {
            it->current = true;
            break;
        }
    }
    return out;
}

outcome<app> world::set_release_phase(std::string_view key, release_phase_mode mode) {
    const auto now = clock_();
    std::lock_guard lock{mu_};
    auto* a = lookup_app(*s_, key);
    if (!a) {
        return app_not_found(key);
    }
    const bool wanted = mode != release_phase_mode::none;
    if (wanted && !has_release_phase(*a)) {
        a->formation.push_back(make_dyno("release", 0, now));
    }
    if (!wanted) {
        std::erase_if(a->formation, [](const dyno_type& d) { return d.type == "release"; });
    }
    a->release_phase_fails = mode == release_phase_mode::fail;
    return *a;
}

outcome<release_view> world::find_release(std::string_view app, std::string_view key) const {
    auto all = releases(app);
    if (!all) {
        return all.err();
    }
    for (const auto& r : all.value()) {
        if (r.record.id == key || std::to_string(r.record.version) == key) {
            return r;
        }
    }
    return not_found("release", "Couldn't find that release.");
}

} // namespace pgshift::emulator
