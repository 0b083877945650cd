// Realistic upgrade histories written through the store, for the store benchmarks.
#pragma once

#include "persistence/upgrade_store.hpp"

#include <functional>
#include <string>

namespace pgshift::bench {

// Commits one upgrade the way a worker does: created, then per step its Heroku writes (an
// effect_requested and an effect_recorded each), progress while transferring, and the
// step_completed that moves it on. Stops once in `stop_at` with that step's write recorded
// (a worker that would poll next), or runs to succeeded: 43 commits. after_commit, when set,
// runs after each. Returns the commits.
int write_history(persistence::upgrade_store& store, const std::string& id, const std::string& app,
                  state stop_at = state::succeeded, const std::function<void()>& after_commit = {});

time_point wall_now();

} // namespace pgshift::bench
