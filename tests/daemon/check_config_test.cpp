// The real pgshiftd --check-config: exit status and the one line, with a good and a bad file.
#include "tests/support/child_process.hpp"
#include "tests/unit/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utility>
#include <vector>

using namespace pgshift::testing;

namespace {

constexpr const char* secret = "hrku-CHECK-CONFIG-SECRET";

struct outcome {
    exit_status status;
    std::string out, err;
};

// pgshiftd --config <file> [--check-config], run to its end (SIGKILLed after 30 s).
outcome run_daemon(const temp_dir& dir, const std::string& file, bool check_only) {
    static int runs = 0; // output files append: one pair per run
    const std::string n = std::to_string(++runs);
    // PGSHIFTD_BIN in the environment points the test at another build of the daemon.
    const char* bin = std::getenv("PGSHIFTD_BIN");
    std::vector<std::string> argv{bin != nullptr ? bin : PGSHIFTD_BIN,
                                  "--config",
                                  file,
                                  "--state-dir",
                                  (dir / "state").string(),
                                  "--listen",
                                  "127.0.0.1:1"};
    if (check_only) {
        argv.emplace_back("--check-config");
    }
    child_process daemon(argv,
                         {std::string("HEROKU_API_KEY=") + secret,
                          "PGSHIFT_STATE_DIR=", "STATE_DIRECTORY=", "JOURNAL_STREAM="},
                         dir / ("out" + n), dir / ("err" + n));
    auto status = daemon.wait_for(std::chrono::seconds(30));
    EXPECT_TRUE(status.has_value()) << file << " still running after 30 s";
    return {status.value_or(exit_status{}), daemon.out(), daemon.err()};
}

outcome check_config(const temp_dir& dir, const std::string& toml) {
    std::ofstream(dir / "pgshiftd.toml") << toml;
    const char* bin = std::getenv("PGSHIFTD_BIN");
    child_process daemon({bin != nullptr ? bin : PGSHIFTD_BIN, "--config",
                          (dir / "pgshiftd.toml").string(), "--check-config"},
                         {std::string("HEROKU_API_KEY=") + secret,
                          "PGSHIFT_STATE_DIR=", "STATE_DIRECTORY=", "JOURNAL_STREAM="},
                         dir / "out", dir / "err");
    auto status = daemon.wait_for(std::chrono::seconds(30));
    EXPECT_TRUE(status.has_value());
    return {status.value_or(exit_status{}), daemon.out(), daemon.err()};
}

TEST(check_config_test, good_configuration_exits_0_with_one_summary_line) {
    temp_dir dir;
    auto r = check_config(dir, "state_dir = \"" + (dir / "state").string() +
                                   "\"\n[api]\nlisten = \"127.0.0.1:7433\"\n");
    EXPECT_TRUE(r.status.exited);
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with("pgshiftd: configuration ok: ")) << r.out;
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line";
    EXPECT_NE(r.out.find("heroku token from $HEROKU_API_KEY"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(secret), std::string::npos);
    EXPECT_EQ(r.err, "");
    EXPECT_FALSE(std::filesystem::exists(dir / "state")) << "checking creates nothing";
}

TEST(check_config_test, bad_configuration_exits_1_with_one_line_naming_setting_and_line) {
    temp_dir dir;
    auto r = check_config(dir, "state_dir = \"" + (dir / "state").string() +
                                   "\"\n[api]\nlisten = \"0.0.0.0:7432\"\n");
    EXPECT_TRUE(r.status.exited);
    EXPECT_EQ(r.status.code, 1);
    const std::string where = (dir / "pgshiftd.toml").string() + ":3";
    EXPECT_TRUE(r.err.starts_with("pgshiftd: api.listen (" + where + "): ")) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line";
    EXPECT_EQ(r.err.find(secret), std::string::npos);
    EXPECT_EQ(r.out, "");
}

// A directory passed as "configuration ok", a FIFO hung, /dev/zero ate memory: now each is
// one line naming the file and exit 1, whether checking or starting.
TEST(check_config_test, config_that_is_no_regular_file_exits_1_with_one_line) {
    temp_dir dir;
    const std::string fifo = (dir / "fifo.toml").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string folder = dir.path().string();
    for (const bool check_only : {true, false}) {
        for (const auto& [file, what] : std::vector<std::pair<std::string, std::string>>{
                 {folder, " is a directory, not a regular file"},
                 {fifo, " is a FIFO, not a regular file"},
                 {"/dev/zero", " is a device, not a regular file"}}) {
            auto r = run_daemon(dir, file, check_only);
            EXPECT_TRUE(r.status.exited) << file;
            EXPECT_EQ(r.status.code, 1) << file;
            EXPECT_EQ(r.err, "pgshiftd: config file " + file + what + "\n");
            EXPECT_EQ(r.out, "");
        }
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "state")) << "refused before anything is made";
}

} // namespace
