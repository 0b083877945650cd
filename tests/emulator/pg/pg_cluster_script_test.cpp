// scripts/pg-cluster itself: start prints a working admin URL, stop removes the directory.
#include "tests/support/pg_cluster.hpp"
#include "tests/support/pg_query.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <pwd.h>
#include <regex>
#include <unistd.h>

namespace pgshift::testing {
namespace {

namespace fs = std::filesystem;

// A directory under a fresh mkdtemp parent (mode 0700: the script must open it for postgres).
fs::path nested_cluster_dir() {
    std::string templ = (fs::temp_directory_path() / "pgshift-script-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return fs::path(templ) / "nested" / "cluster";
}

std::string first_line(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

// What every cluster must be: loopback only, UTF8, PostgreSQL 15, passwords required.
void expect_a_proper_cluster(const std::string& url) {
    static const std::regex url_shape(
        "postgresql://postgres:[0-9a-f]{32}@127\\.0\\.0\\.1:[0-9]+/postgres");
    EXPECT_TRUE(std::regex_match(url, url_shape)) << url;
    EXPECT_EQ(query(url, "SHOW listen_addresses").at(0).at(0), "127.0.0.1");
    EXPECT_EQ(query(url, "SHOW server_encoding").at(0).at(0), "UTF8");
    EXPECT_EQ(query(url, "SHOW server_version_num").at(0).at(0).value().substr(0, 2), "15");
    auto wrong = std::regex_replace(url, std::regex(":[0-9a-f]{32}@"), ":wrong@");
    EXPECT_THROW(query(wrong, "SELECT 1"), std::runtime_error); // host auth is scram
}

// Starts, checks and stops a cluster with `script` through `prefix` (empty, or runuser as
// another user).
void start_check_stop(const std::vector<std::string>& prefix, const fs::path& script,
                      const fs::path& dir) {
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), prefix.begin(), prefix.end());
        return run_command(args);
    };
    auto started = with({script.string(), "start", dir.string()});
    ASSERT_EQ(started.exit_code, 0) << started.err;
    ASSERT_EQ(started.out.find('\n'), started.out.size() - 1) << started.out; // one line
    auto url = started.out.substr(0, started.out.size() - 1);
    EXPECT_EQ(first_line(dir / "admin_url"), url);
    expect_a_proper_cluster(url);

    auto stopped = with({script.string(), "stop", dir.string()});
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_THROW(query(url, "SELECT 1"), std::runtime_error);
    auto again = with({script.string(), "stop", dir.string()});
    EXPECT_EQ(again.exit_code, 0) << again.err; // idempotent
}

// pg_cluster runs the script as whoever runs the tests (root, in CI containers), below a
// fresh mkdtemp parent the postgres user cannot enter until the script opens it.
TEST(pg_cluster, starts_a_proper_cluster_and_its_destructor_removes_it) {
    fs::path dir;
    std::string url;
    {
        pg_cluster cluster;
        dir = cluster.directory();
        url = cluster.admin_url();
        EXPECT_EQ(first_line(dir / "admin_url"), url);
        expect_a_proper_cluster(url);
    }
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_FALSE(fs::exists(dir.parent_path()));
    EXPECT_THROW(query(url, "SELECT 1"), std::runtime_error);
    auto again = run_command({pg_cluster_script().string(), "stop", dir.string()});
    EXPECT_EQ(again.exit_code, 0) << again.err; // idempotent
}

// As root, the test above covers the root path; this one the ordinary-user path. That user
// runs a byte-identical copy of the script from a directory it owns: the checkout may sit
// under a home it cannot traverse (a clone in /root, mode 0700).
TEST(pg_cluster_script, works_for_an_ordinary_user) {
    auto dir = nested_cluster_dir();
    std::vector<std::string> prefix;
    fs::path script = pg_cluster_script();
    if (::geteuid() == 0) {
        passwd* pg = ::getpwnam("postgres");
        ASSERT_NE(pg, nullptr) << "root, but no user postgres to act as an ordinary user";
        fs::create_directories(dir.parent_path());
        for (auto d : {dir.parent_path().parent_path(), dir.parent_path()}) {
            ASSERT_EQ(::chown(d.c_str(), pg->pw_uid, pg->pw_gid), 0);
        }
        script = copy_pg_cluster_script(dir.parent_path().parent_path());
        prefix = {"/usr/sbin/runuser", "-u", "postgres", "--"};
    }
    start_check_stop(prefix, script, dir);
    fs::remove_all(dir.parent_path().parent_path());
}

TEST(pg_cluster_script, refuses_to_remove_what_it_did_not_make_and_rejects_bad_usage) {
    auto dir = nested_cluster_dir();
    fs::create_directories(dir);
    auto stopped = run_command({pg_cluster_script().string(), "stop", dir.string()});
    EXPECT_NE(stopped.exit_code, 0);
    EXPECT_NE(stopped.err.find("refusing"), std::string::npos) << stopped.err;
    EXPECT_TRUE(fs::exists(dir));
    auto usage = run_command({pg_cluster_script().string(), "restart", dir.string()});
    EXPECT_NE(usage.exit_code, 0);
    EXPECT_TRUE(usage.out.empty());
    fs::remove_all(dir.parent_path().parent_path());
}

} // namespace
} // namespace pgshift::testing
