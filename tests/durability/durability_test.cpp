// SIGKILL a committing child at random moments; every reported commit must survive whole.
#include "persistence/schema.hpp"
#include "persistence/sqlite.hpp"
#include "tests/durability/kill_schedule.hpp"
#include "tests/unit/temp_dir.hpp"

#include <atomic>
#include <cstdlib>
#include <gtest/gtest.h>
#include <map>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pgshift {
namespace {

struct child_run {
    std::string output; // "<id> <version>" lines, each written after its commit
    bool killed = false;
    int exit_code = -1; // when the child ended by itself (it should never)
};

// Starts the child, waits until it reported its first commit (unless `early`, which kills
// during start-up and migration), lets it run `after` more, then SIGKILLs it.
child_run run_and_kill(const std::filesystem::path& dir, unsigned seed,
                       std::chrono::milliseconds after, bool early) {
    int fds[2];
    if (::pipe(fds) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        std::string seed_text = std::to_string(seed);
        ::execl(DURABILITY_CHILD, DURABILITY_CHILD, dir.c_str(), seed_text.c_str(), nullptr);
        ::_exit(127);
    }
    ::close(fds[1]);
    // Drain while the child runs so a full pipe never stalls it before the kill.
    child_run run;
    std::atomic<bool> first_commit{false};
    std::thread reader([&] {
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fds[0], buf, sizeof buf)) > 0) {
            run.output.append(buf, static_cast<std::size_t>(n));
            first_commit = true;
        }
        first_commit = true; // the child is gone
    });
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!early && !first_commit && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(after);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    reader.join();
    ::close(fds[0]);
    run.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

// Checks the invariants that a half-applied transition would break.
void check_database(const std::filesystem::path& file,
                    const std::map<std::string, std::int64_t>& reported) {
    sqlite::database db(file);
    sqlite::statement integrity(db, "PRAGMA integrity_check");
    ASSERT_TRUE(integrity.step());
    ASSERT_EQ(integrity.text(0), "ok");
    // A kill during start-up may land before or inside the first migration: then the file
    // is still empty (the migration is one transaction) and nothing can have been reported.
    if (persistence::schema_version(db) == 0) {
        EXPECT_TRUE(reported.empty());
        sqlite::statement tables(db, "SELECT count(*) FROM sqlite_master");
        ASSERT_TRUE(tables.step());
        EXPECT_EQ(tables.int64(0), 0) << "a half-applied migration";
        return;
    }
    ASSERT_EQ(persistence::schema_version(db), persistence::latest_schema_version());

    for (const auto& [id, version] : reported) {
        sqlite::statement st(db, "SELECT version FROM upgrades WHERE id = ?");
        st.bind(1, id);
        ASSERT_TRUE(st.step()) << "reported upgrade " << id << " is missing";
        EXPECT_GE(st.int64(0), version) << "committed transition of " << id << " was lost";
    }
    // Every transition appends exactly one event with the next seq, so a half-applied one
    // shows as version != number of events, a gap, or a state its last event did not name.
    sqlite::statement rows(db, "SELECT u.id, u.version, u.state, u.target_addon_name, "
                               "(SELECT count(*) FROM events e WHERE e.upgrade_id = u.id), "
                               "(SELECT max(seq) FROM events e WHERE e.upgrade_id = u.id), "
                               "(SELECT to_state FROM events e WHERE e.upgrade_id = u.id "
                               " ORDER BY seq DESC LIMIT 1), "
                               "(SELECT count(*) FROM upgrade_formation f "
                               " WHERE f.upgrade_id = u.id) FROM upgrades u");
    while (rows.step()) {
        std::string id = rows.text(0);
        std::int64_t version = rows.int64(1);
        EXPECT_EQ(rows.int64(4), version) << id;
        EXPECT_EQ(rows.int64(5), version) << id << ": seq has a gap";
        EXPECT_EQ(rows.text(6), rows.text(2)) << id << ": state and history disagree";
        EXPECT_EQ(rows.text(3).empty(), version < 2) << id << ": step data out of step";
        std::int64_t formation = rows.int64(7);
        EXPECT_TRUE(formation == 0 || formation == 3) << id << ": partial formation";
        EXPECT_EQ(formation == 3, version >= 5) << id;
    }
}

TEST(durability, sigkill_at_random_moments_loses_no_commit_and_leaves_nothing_half_done) {
    auto seed = testing::durability_seed(std::getenv(testing::durability_seed_variable));
    ASSERT_TRUE(seed.ok()) << seed.err();
    // Printed before the first kill (and with every failure) so any run can be replayed.
    std::string replay =
        std::string(testing::durability_seed_variable) + "=" + std::to_string(*seed);
    std::cout << "durability: seed " << *seed << " (replay with " << replay << ")" << std::endl;
    ::testing::Test::RecordProperty("seed", std::to_string(*seed));
    SCOPED_TRACE("replay with " + replay);
    testing::temp_dir dir;
    std::map<std::string, std::int64_t> reported;
    int kills = 0;
    int kills_mid_work = 0; // kills that landed after the child had committed something
    std::size_t commits = 0;
    const auto schedule = testing::kill_schedule(*seed, 80);
    for (std::size_t i = 0; i < schedule.size(); ++i) {
        const testing::kill_plan& plan = schedule[i];
        child_run run = run_and_kill(dir.path(), plan.child_seed, plan.after, plan.early);
        kills += run.killed ? 1 : 0;
        if (!run.killed) {
            ADD_FAILURE() << "run " << i << ": the child ended by itself with exit code "
                          << run.exit_code << " (its stderr is above)";
            return;
        }
        std::istringstream lines(run.output);
        std::string id;
        std::int64_t version = 0;
        bool worked = false;
        while (lines >> id >> version) {
            reported[id] = std::max(reported[id], version);
            ++commits;
            worked = true;
        }
        kills_mid_work += run.killed && worked ? 1 : 0;
        check_database(dir / "pgshift.db", reported);
        if (HasFatalFailure()) {
            return;
        }
    }
    EXPECT_GE(kills, 50) << "the child must die by SIGKILL, not exit by itself";
    EXPECT_GE(kills_mid_work, 50) << "too few kills landed while the child was committing";
    std::cout << "durability: " << kills << " kills (" << kills_mid_work << " mid-work), "
              << commits << " reported commits, " << reported.size() << " upgrades\n";
}

} // namespace
} // namespace pgshift
