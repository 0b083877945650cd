// Durability child: drives upgrades through every state forever, reporting each commit.
//
// Usage: durability_child STATE_DIR SEED
// After each committed transition it writes "<id> <version>\n" to stdout with write(2), so
// every line the parent reads names a transition that was committed before it was written.
#include "persistence/schema.hpp"
#include "persistence/state_dir_lock.hpp"
#include "persistence/upgrade_store.hpp"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unistd.h>

using namespace pgshift;

namespace {

void report(const upgrade& u) {
    std::string line = u.id + " " + std::to_string(u.version) + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        std::_Exit(3); // the parent is gone
    }
}

state next_of(state s) {
    return static_cast<state>(static_cast<int>(s) + 1);
}

// Advances one upgrade by one state along the procedure, with step data as a worker would
// record it; the last procedure state moves to succeeded.
upgrade advance(upgrade u, std::mt19937& rng) {
    u.current = u.current == state::removing_source ? state::succeeded : next_of(u.current);
    u.attempt = 1;
    u.transfer.processed_bytes += static_cast<std::int64_t>(rng() % 100000);
    u.last_error = "attempt at " + std::string(to_string(u.current));
    if (u.current == state::provisioning) {
        u.target_addon_name = "pgshift-" + u.id;
    }
    if (u.current == state::scaling_down && u.formation.empty()) {
        u.formation = {{"worker", 3}, {"clock", 1}, {"urgent", 2}};
    }
    if (u.current == state::capturing) {
        u.backup_uuid = "b-" + u.id;
    }
    return u;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: durability_child STATE_DIR SEED\n");
        return 2;
    }
    std::filesystem::path dir = argv[1];
    std::mt19937 rng(static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)));
    auto lock = persistence::state_dir_lock::acquire(dir);
    if (!lock) {
        std::fprintf(stderr, "%s\n", lock.err().message.c_str());
        return 1;
    }
    sqlite::database db(dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);
    auto now = [] {
        return time_point(std::chrono::milliseconds(1));
    };
    for (int round = 0;; ++round) {
        auto active = store.load_active();
        // Keep three upgrades in flight, each on its own app, as a busy daemon would.
        while (active.size() < 3) {
            upgrade u;
            u.id = "u-" + std::to_string(rng()) + "-" + std::to_string(round);
            u.request.app = "app-" + u.id;
            u.request.plan = "heroku-postgresql:standard-0";
            auto created = store.create(u, now());
            if (!created) {
                std::fprintf(stderr, "create: %s\n", created.err().message.c_str());
                return 1;
            }
            report(*created);
            active.push_back(*created);
        }
        for (upgrade& u : active) {
            auto moved =
                store.transition(advance(u, rng), {event_type::step_completed, "x"}, now());
            if (!moved) {
                std::fprintf(stderr, "transition: %s\n", moved.err().message.c_str());
                return 1;
            }
            report(*moved);
        }
    }
}
