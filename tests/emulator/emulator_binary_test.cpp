// The built heroku-emulator binary: prints its URL, serves, stops on SIGTERM, rejects bad flags.
#include "tests/support/http_client.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

struct child {
    pid_t pid = -1;
    FILE* out = nullptr;
};

child spawn_emulator(std::vector<std::string> args) {
    int pipe_fds[2];
    EXPECT_EQ(::pipe(pipe_fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    args.insert(args.begin(), HEROKU_EMULATOR_BIN);
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    child c;
    EXPECT_EQ(posix_spawn(&c.pid, HEROKU_EMULATOR_BIN, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    c.out = ::fdopen(pipe_fds[0], "r");
    return c;
}

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(emulator_binary, prints_its_url_serves_and_stops_on_sigterm) {
    auto c = spawn_emulator({"--port", "0", "--token", "bin-token", "--page-size", "50"});
    char line[256] = {};
    ASSERT_NE(std::fgets(line, sizeof line, c.out), nullptr);
    const std::string text = line;
    ASSERT_EQ(text.rfind("listening http://127.0.0.1:", 0), 0u) << text;
    const auto port = static_cast<std::uint16_t>(std::stoi(text.substr(text.rfind(':') + 1)));
    pgshift::testing::http_client client("127.0.0.1", port);
    auto seeded = client.request("POST", "/_emulator/apps", R"({"name":"bin"})");
    EXPECT_EQ(seeded.status, 201);
    auto r = client.request("GET", "/apps/bin", "", {{"Authorization", "Bearer bin-token"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.header("Request-Id"));
    client.close();
    const auto state_dir =
        std::filesystem::temp_directory_path() / ("heroku-emulator-" + std::to_string(c.pid));
    EXPECT_TRUE(std::filesystem::exists(state_dir));
    ::kill(c.pid, SIGTERM);
    EXPECT_EQ(wait_exit(c.pid), 0);
    std::fclose(c.out);
    EXPECT_FALSE(std::filesystem::exists(state_dir)); // the default one leaves with us
}

TEST(emulator_binary, bad_flags_exit_2) {
    auto c = spawn_emulator({"--port", "nope", "--token", "t"});
    EXPECT_EQ(wait_exit(c.pid), 2);
    std::fclose(c.out);
    auto d = spawn_emulator({"--token", "t", "--address", "0.0.0.0"});
    EXPECT_EQ(wait_exit(d.pid), 2);
    std::fclose(d.out);
}

} // namespace
