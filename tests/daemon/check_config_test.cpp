// The real pgshiftd --check-config: exit status and the one line, with a good and a bad file.
#include "tests/support/child_process.hpp"
#include "tests/unit/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>

using namespace pgshift::testing;

namespace {

constexpr const char* secret = "hrku-CHECK-CONFIG-SECRET";

struct outcome {
    exit_status status;
    std::string out, err;
};

outcome check_config(const temp_dir& dir, const std::string& toml) {
    std::ofstream(dir / "pgshiftd.toml") << toml;
    // PGSHIFTD_BIN in the environment points the test at another build of the daemon.
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

} // namespace
