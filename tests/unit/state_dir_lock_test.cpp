// Exclusive ownership of the state directory, within a process and across processes.
#include "persistence/state_dir_lock.hpp"
#include "tests/unit/temp_dir.hpp"

#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pgshift::persistence {
namespace {

TEST(state_dir_lock, first_owner_wins_second_is_told_the_pid) {
    testing::temp_dir dir;
    auto first = state_dir_lock::acquire(dir / "state");
    ASSERT_TRUE(first.ok());
    auto second = state_dir_lock::acquire(dir / "state");
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.err().code, errc::conflict);
    EXPECT_NE(second.err().message.find("pid " + std::to_string(::getpid())), std::string::npos)
        << second.err().message;
}

TEST(state_dir_lock, released_on_destruction) {
    testing::temp_dir dir;
    {
        auto first = state_dir_lock::acquire(dir.path());
        ASSERT_TRUE(first.ok());
    }
    EXPECT_TRUE(state_dir_lock::acquire(dir.path()).ok());
}

TEST(state_dir_lock, another_process_is_refused) {
    testing::temp_dir dir;
    auto mine = state_dir_lock::acquire(dir.path());
    ASSERT_TRUE(mine.ok());
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto theirs = state_dir_lock::acquire(dir.path());
        bool named = !theirs.ok() &&
                     theirs.err().message.find(std::to_string(::getppid())) != std::string::npos;
        ::_exit(named ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child was not refused with the owner's pid";
}

TEST(state_dir_lock, the_directory_is_created_private) {
    testing::temp_dir dir;
    auto lock = state_dir_lock::acquire(dir / "a" / "b");
    ASSERT_TRUE(lock.ok());
    struct stat st {};
    ASSERT_EQ(::stat((dir / "a" / "b").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700);
}

} // namespace
} // namespace pgshift::persistence
