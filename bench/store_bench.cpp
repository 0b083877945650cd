// Store benchmark: commit latency of CAS transitions (WAL, synchronous=FULL) and recovery.
//
// Usage: store_bench [DIR] — DIR defaults to a fresh directory under /tmp (the disk matters:
// every commit is an fsync).
#include "persistence/schema.hpp"
#include "persistence/upgrade_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

using namespace pgshift;
using clock_type = std::chrono::steady_clock;

namespace {

double ms_since(clock_type::time_point t) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

time_point now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

} // namespace

int main(int argc, char** argv) {
    std::filesystem::path dir =
        argc > 1 ? std::filesystem::path(argv[1])
                 : std::filesystem::temp_directory_path() / "pgshift-store-bench";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    sqlite::database db(dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);

    constexpr int upgrades = 200;
    constexpr int steps = 12;
    std::vector<double> latencies;
    auto started = clock_type::now();
    for (int i = 0; i < upgrades; ++i) {
        upgrade u;
        u.id = "bench-" + std::to_string(i);
        u.request.app = "app-" + std::to_string(i);
        u.request.plan = "heroku-postgresql:standard-0";
        u = store.create(u, now()).value();
        for (int s = 0; s < steps; ++s) {
            u.current = s + 1 < steps ? static_cast<state>(s + 1) : state::succeeded;
            u.transfer.processed_bytes += 1000;
            auto t = clock_type::now();
            u = store.transition(u, {event_type::step_completed, ""}, now()).value();
            latencies.push_back(ms_since(t));
        }
    }
    double total_ms = ms_since(started);
    std::printf(
        "transitions: %zu in %.0f ms = %.0f/s; commit latency p50 %.2f ms, p99 %.2f ms, "
        "max %.2f ms\n",
        latencies.size(), total_ms, static_cast<double>(latencies.size()) * 1000.0 / total_ms,
        percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(latencies, 1.0));

    // Recovery: the daemon's start-up cost with many finished and some active upgrades.
    for (int i = 0; i < 50; ++i) {
        upgrade u;
        u.id = "active-" + std::to_string(i);
        u.request.app = "active-app-" + std::to_string(i);
        u.request.plan = "heroku-postgresql:standard-0";
        (void)store.create(u, now());
    }
    auto t = clock_type::now();
    auto active = store.load_active();
    std::printf("load_active: %zu active among %d upgrades in %.2f ms\n", active.size(),
                upgrades + 50, ms_since(t));
    auto l = clock_type::now();
    auto page = store.list({.limit = 50});
    std::printf("list (first page of 50): %.2f ms\n", ms_since(l));
    std::filesystem::remove_all(dir);
    return 0;
}
