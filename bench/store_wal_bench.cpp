// Store benchmark: the WAL's size while 1,000 upgrades commit their histories (~43 each).
//
// Usage: store_wal_bench [DIR] [UPGRADES] — DIR defaults to a fresh directory under /tmp;
// the store's own settings (WAL, synchronous=FULL, wal_autocheckpoint, journal_size_limit).
#include "bench/store_history.hpp"
#include "persistence/schema.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

using namespace pgshift;
namespace fs = std::filesystem;

namespace {

std::uintmax_t size_of(const fs::path& p) {
    std::error_code ec;
    const auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
}

double mib(std::uintmax_t bytes) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

} // namespace

int main(int argc, char** argv) {
    const fs::path dir =
        argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "pgshift-store-wal-bench";
    const int upgrades = argc > 2 ? std::stoi(argv[2]) : 1000;
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto db_file = dir / "pgshift.db";
    const auto wal_file = dir / "pgshift.db-wal";
    std::uintmax_t peak = 0;
    std::uintmax_t final_wal = 0;
    long commits = 0;
    const auto started = std::chrono::steady_clock::now();
    {
        sqlite::database db(db_file);
        persistence::migrate(db);
        persistence::upgrade_store store(db);
        const auto sample = [&] {
            ++commits;
            peak = std::max(peak, size_of(wal_file));
        };
        for (int i = 0; i < upgrades; ++i) {
            const auto n = std::to_string(i);
            bench::write_history(store, "wal-" + n + "-0000-0000-0000-000000000000", "app-" + n,
                                 state::succeeded, sample);
            if ((i + 1) % 250 == 0) {
                std::printf("after %d upgrades: db %.2f MiB, wal %.2f MiB (peak so far %.2f MiB)\n",
                            i + 1, mib(size_of(db_file)), mib(size_of(wal_file)), mib(peak));
            }
        }
        final_wal = size_of(wal_file);
        std::printf("open: db %.2f MiB, wal %.2f MiB\n", mib(size_of(db_file)), mib(final_wal));
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("%d upgrades, %ld commits in %.1f s (%.0f commits/s); wal peak %.2f MiB "
                "(%ju bytes), final %.2f MiB while open; after close: db %.2f MiB, wal %ju "
                "bytes (limit %.0f MiB)\n",
                upgrades, commits, secs, static_cast<double>(commits) / secs, mib(peak), peak,
                mib(final_wal), mib(size_of(db_file)), size_of(wal_file),
                mib(static_cast<std::uintmax_t>(sqlite::database::wal_size_limit)));
    fs::remove_all(dir);
    return 0;
}
