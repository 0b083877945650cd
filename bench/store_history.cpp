// Realistic upgrade histories written through the store, for the store benchmarks.
#include "bench/store_history.hpp"

#include <array>
#include <stdexcept>

namespace pgshift::bench {

namespace {

struct step_shape {
    state at;
    bool writes;  // one Heroku write: effect_requested + effect_recorded
    int progress; // progress events while it runs
};

// The happy path with the writes and polls a real upgrade commits.
constexpr std::array<step_shape, 14> steps{{
    {state::pending, false, 0},
    {state::provisioning, true, 1},
    {state::awaiting_window, false, 0},
    {state::entering_maintenance, true, 0},
    {state::scaling_down, true, 0},
    {state::capturing, true, 5},
    {state::restoring, true, 5},
    {state::verifying, false, 0},
    {state::promoting, true, 0},
    {state::scaling_up, true, 0},
    {state::leaving_maintenance, true, 0},
    {state::confirming, false, 0},
    {state::removing_source, true, 0},
    {state::succeeded, false, 0},
}};

struct writer {
    persistence::upgrade_store& store;
    const std::function<void()>& after_commit;
    int commits = 0;

    upgrade commit(upgrade u, persistence::history_entry e) {
        auto next = store.transition(std::move(u), std::move(e), wall_now());
        if (!next) {
            throw std::runtime_error("store bench: a transition failed: " + next.err().message);
        }
        counted();
        return std::move(*next);
    }
    void counted() {
        ++commits;
        if (after_commit) {
            after_commit();
        }
    }
};

} // namespace

time_point wall_now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

int write_history(persistence::upgrade_store& store, const std::string& id, const std::string& app,
                  state stop_at, const std::function<void()>& after_commit) {
    upgrade u;
    u.id = id;
    u.request.app = app;
    u.request.plan = "heroku-postgresql:standard-0";
    auto created = store.create(u, wall_now());
    if (!created) {
        throw std::runtime_error("store bench: create failed: " + created.err().message);
    }
    u = std::move(*created);
    writer w{store, after_commit};
    w.counted();
    for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
        const auto& step = steps[i];
        if (step.writes) {
            const auto effect = ++u.effects;
            u.open_effect = effect;
            u = w.commit(u, {event_type::effect_requested, "a Heroku write", effect});
            std::string identity =
                "c6a1f0e2-7b3d-4e1a-9f00-" + std::to_string(100000000000 + effect);
            if (step.at == state::provisioning) {
                u.target_addon_name = "pgshift-" + id.substr(0, 8);
                u.target_addon_id = identity;
            } else if (step.at == state::capturing) {
                u.backup_uuid = identity;
                u.backup_num = effect;
            } else if (step.at == state::restoring) {
                u.restore_uuid = identity;
            }
            u.open_effect = 0;
            u = w.commit(u, {event_type::effect_recorded, "Heroku answered 201", effect, identity});
        }
        if (step.at == stop_at) {
            return w.commits;
        }
        for (int p = 0; p < step.progress; ++p) {
            u.transfer.processed_bytes += 200 * 1024 * 1024;
            u.transfer.total_bytes = 1024LL * 1024 * 1024;
            u.transfer.message = "transferring";
            u.transfer.at = wall_now();
            u = w.commit(u, {event_type::progress, "200 MB more"});
        }
        if (step.at == state::pending) {
            u.source_addon_id = "5b1e0f3c-1d2e-4f50-8a9b-0c1d2e3f4a5b";
            u.source_addon_name = "postgresql-rigid-12345";
            u.source_plan = "heroku-postgresql:essential-0";
            u.source_app = app;
            u.source_version = "15.4";
            u.target_version = "16";
        }
        u.current = steps[i + 1].at;
        u.attempt = 0;
        u = w.commit(u, {event_type::step_completed, "done"});
    }
    return w.commits;
}

} // namespace pgshift::bench
