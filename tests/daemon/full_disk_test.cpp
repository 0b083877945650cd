// A full disk under pgshiftd's state directory in the middle of a restore: the commit that
// fails is retried, the API says why, nothing happens on Heroku meanwhile, and once space
// returns the upgrade finishes by itself, exactly once. Needs root (mount); skipped otherwise.
#include "tests/daemon/harness.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <thread>
#include <unistd.h>

namespace pgshift::testing {
namespace {

using namespace std::chrono_literals;

// A small tmpfs over dir for the test's life; unmounted however the test ends.
class tmpfs_mount {
public:
    tmpfs_mount(std::filesystem::path dir, const char* options)
        : dir_(std::move(dir)) {
        std::filesystem::create_directories(dir_);
        if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options) != 0) {
            error_ = std::strerror(errno);
        }
    }
    ~tmpfs_mount() {
        if (error_.empty()) {
            ::umount2(dir_.c_str(), MNT_DETACH);
        }
    }
    tmpfs_mount(const tmpfs_mount&) = delete;
    tmpfs_mount& operator=(const tmpfs_mount&) = delete;
    const std::string& error() const { return error_; }

private:
    std::filesystem::path dir_;
    std::string error_;
};

// Writes to `file` until the file system is full; true when it is.
bool fill(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return false;
    }
    const std::string block(4096, 'f');
    bool full = false;
    while (!full) {
        ssize_t n = ::write(fd, block.data(), block.size());
        full = n < 0 && errno == ENOSPC;
        if (n < 0 && !full) {
            break;
        }
    }
    ::close(fd);
    return full;
}

// The ledger's side effects on app, without what the emulator does by itself.
std::vector<std::string> side_effects(emulator& emu, const std::string& app) {
    std::vector<std::string> out;
    for (const json& e : emu.control("GET", "/_emulator/ledger")) {
        if (e.value("app", "") == app && e.value("kind", "") != "transfer_finished") {
            out.push_back(e.dump());
        }
    }
    return out;
}

int matched(emulator& emu, const json& rule) {
    for (const json& r : emu.control("GET", "/_emulator/faults")) {
        if (r["id"] == rule["id"]) {
            return r["matched"].get<int>();
        }
    }
    return -1;
}

class running_daemon {
public:
    running_daemon(const emulator& emu, const std::filesystem::path& state,
                   const std::filesystem::path& logs) {
        process_ = std::make_unique<child_process>(
            std::vector<std::string>{PGSHIFTD_BIN, "--state-dir", state.string(), "--platform-url",
                                     emu.url(), "--data-url", emu.url(), "--poll-ms", "100",
                                     "--progress-ms", "200", "--backoff-ms", "100", "--listen",
                                     "127.0.0.1:0"},
            std::vector<std::string>{std::string("HEROKU_API_KEY=") + emulator_token},
            logs / "pgshiftd.out", logs / "pgshiftd.err");
        const std::string needle = "listening on http://127.0.0.1:";
        std::uint16_t port = 0;
        for (int i = 0; i < 500 && port == 0; ++i) {
            std::string err = process_->err();
            auto at = err.find(needle);
            if (at != std::string::npos && err.find('\n', at) != std::string::npos) {
                port = static_cast<std::uint16_t>(std::stoi(err.substr(at + needle.size())));
            } else if (process_->wait_for(20ms)) {
                break;
            }
        }
        if (port == 0) {
            throw std::runtime_error("pgshiftd did not start serving: " + process_->err());
        }
        api_ = std::make_unique<http_client>("127.0.0.1", port);
        api_->set_timeout(30s);
    }
    ~running_daemon() {
        process_->signal(SIGKILL);
        process_->wait_for(10s);
    }
    running_daemon(const running_daemon&) = delete;
    running_daemon& operator=(const running_daemon&) = delete;

    http_reply call(const std::string& method, const std::string& target, const json& body = {}) {
        return api_->request(method, target, body.is_null() ? "" : body.dump(),
                             {{"Content-Type", "application/json"}});
    }
    json upgrade(const std::string& id) {
        return json::parse(call("GET", "/v1/upgrades/" + id).body);
    }
    std::string err() const { return process_->err(); }

private:
    std::unique_ptr<child_process> process_;
    std::unique_ptr<http_client> api_;
};

// Polls until done() or limit; the last value of done().
template<class F>
bool eventually(F done, std::chrono::seconds limit) {
    for (auto until = std::chrono::steady_clock::now() + limit;
         std::chrono::steady_clock::now() < until;) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(50ms);
    }
    return done();
}

TEST(full_disk, a_restore_waits_out_a_full_disk_shows_why_and_finishes_exactly_once) {
    const auto dir = work_dir("full-disk");
    const auto state = dir / "state";
    // 8 MB: the database and a WAL that has not reached its first checkpoint (~4 MB).
    tmpfs_mount mount(state, "size=8m,mode=0700");
    if (!mount.error().empty()) {
        std::filesystem::remove_all(dir);
        GTEST_SKIP() << "cannot mount a tmpfs for the state directory (" << mount.error()
                     << "): this test needs root, as in CI";
    }
    emulator emu(dir);
    emu.fast_timings();
    emu.control("PUT", "/_emulator/timings", {{"transfer_pending_ms", 2500}}); // long restores
    emu.seed_app("full-disk", "web=1 worker=1 release=0", sample_sql(200));
    auto d = std::make_unique<running_daemon>(emu, state, dir);

    http_reply created = d->call("POST", "/v1/upgrades",
                                 {{"app", "full-disk"}, {"plan", "heroku-postgresql:standard-0"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = json::parse(created.body)["id"];
    ASSERT_TRUE(eventually(
        [&] {
            json u = d->upgrade(id);
            return u["state"] == "restoring" && !u["restore"].is_null();
        },
        60s))
        << d->upgrade(id).dump() << d->err();

    // Counts the daemon's Data API requests without changing them.
    const json polls = emu.fault(
        {{"method", "GET"}, {"route", "/client/v11/**"}, {"kind", "latency"}, {"latency_ms", 0}});
    ASSERT_TRUE(fill(state / "filler")) << "the tmpfs did not fill up";

    // The next commit fails: /readyz and the upgrade say why.
    http_reply ready;
    ASSERT_TRUE(eventually(
        [&] {
            ready = d->call("GET", "/readyz");
            return ready.status == 503;
        },
        60s))
        << ready.body << d->err();
    EXPECT_NE(ready.body.find("database or disk is full"), std::string::npos) << ready.body;
    json stuck = d->upgrade(id);
    EXPECT_EQ(stuck["state"], "restoring") << stuck.dump();
    EXPECT_EQ(stuck["needs_attention"], true) << stuck.dump();
    EXPECT_NE(stuck["last_error"].get<std::string>().find("database or disk is full"),
              std::string::npos)
        << stuck.dump();

    // It keeps trying (each try reconciles with Heroku first), and does nothing on Heroku.
    const auto effects = side_effects(emu, "full-disk");
    const int before = matched(emu, polls);
    ASSERT_TRUE(eventually([&] { return matched(emu, polls) >= before + 3; }, 60s))
        << "the daemon stopped trying\n"
        << d->err();
    EXPECT_EQ(side_effects(emu, "full-disk"), effects) << "a Heroku side effect without its commit";
    EXPECT_EQ(emu.ledger_counts("full-disk")["promotion"], 0);
    EXPECT_EQ(d->call("GET", "/readyz").status, 503);
    http_reply pause = d->call("POST", "/v1/upgrades/" + id + "/pause");
    EXPECT_EQ(pause.status, 503) << pause.body;
    EXPECT_NE(pause.body.find("store_unavailable"), std::string::npos) << pause.body;
    EXPECT_NE(pause.body.find("database or disk is full"), std::string::npos) << pause.body;

    // Space again: the upgrade finishes by itself, every side effect once.
    std::filesystem::remove(state / "filler");
    json done;
    ASSERT_TRUE(eventually(
        [&] {
            done = d->upgrade(id);
            return done["state"] == "succeeded" || done["state"] == "failed" ||
                   done["state"] == "rolled_back";
        },
        120s))
        << done.dump() << d->err();
    EXPECT_EQ(done["state"], "succeeded") << done.dump();
    EXPECT_EQ(done["needs_attention"], false) << done.dump();
    EXPECT_EQ(d->call("GET", "/readyz").status, 200);
    auto ledger = emu.ledger_counts("full-disk");
    EXPECT_EQ(ledger["addon_created"], 1);
    EXPECT_EQ(ledger["backup"], 1);
    EXPECT_EQ(ledger["restore"], 1);
    EXPECT_EQ(ledger["promotion"], 1);
    EXPECT_EQ(emu.heroku("GET", "/apps/full-disk")["maintenance"], false);
    const std::string log = d->err();
    EXPECT_NE(log.find("the state store cannot commit"), std::string::npos) << log;
    EXPECT_NE(log.find("the state store commits again"), std::string::npos) << log;

    d.reset(); // before the unmount
}

} // namespace
} // namespace pgshift::testing
