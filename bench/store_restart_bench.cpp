// Store benchmark: pgshiftd's restart to resumed polling with 10,000 upgrades in history.
//
// Usage: store_restart_bench [PGSHIFTD] [DIR] [FINISHED] [ACTIVE] [RUNS] (RUNS 0: only write
// the store and keep it)
// Writes a store of FINISHED (10,000) succeeded upgrades of ~43 events each and ACTIVE (10)
// upgrades polling their new add-on, then RUNS (5) times: starts the real pgshiftd on a copy
// of it against a stub Heroku on loopback (every request answered 503 after its arrival is
// noted) and measures from the spawn to the first request naming each active upgrade's app.
// Also times the same start-up in process: open the store, migrate, load_active.
#include "bench/store_history.hpp"
#include "persistence/schema.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <mutex>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

using namespace pgshift;
namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

double ms_between(clock_type::time_point a, clock_type::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// Notes when each app is first named in a request path ("/apps/NAME/…"); answers 503.
class stub_heroku {
public:
    stub_heroku()
        : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
        net::co_spawn(io_, accept_loop(), net::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~stub_heroku() {
        io_.stop();
        thread_.join();
    }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }
    void reset() {
        std::lock_guard lock(mutex_);
        first_.clear();
        requests_ = 0;
    }
    std::map<std::string, clock_type::time_point> first_seen() const {
        std::lock_guard lock(mutex_);
        return first_;
    }
    long requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(use_tuple);
            if (ec) {
                co_return;
            }
            net::co_spawn(io_, session(std::move(sock)), net::detached);
        }
    }

    net::awaitable<void> session(tcp::socket sock) {
        beast::tcp_stream stream(std::move(sock));
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request<bhttp::string_body> req;
            auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, use_tuple);
            if (ec) {
                co_return;
            }
            note(std::string(req.target()));
            bhttp::response<bhttp::string_body> res{bhttp::status::service_unavailable, 11};
            res.set(bhttp::field::content_type, "application/json");
            res.body() = R"({"id":"unavailable","message":"bench stub"})";
            res.keep_alive(true);
            res.prepare_payload();
            auto [write_ec, written] = co_await bhttp::async_write(stream, res, use_tuple);
            if (write_ec) {
                co_return;
            }
        }
    }

    void note(const std::string& target) {
        const auto now = clock_type::now();
        std::lock_guard lock(mutex_);
        ++requests_;
        const std::string prefix = "/apps/";
        if (target.compare(0, prefix.size(), prefix) != 0) {
            return;
        }
        const auto end = target.find('/', prefix.size());
        first_.try_emplace(target.substr(prefix.size(), end - prefix.size()), now);
    }

    net::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::map<std::string, clock_type::time_point> first_;
    long requests_ = 0;
};

pid_t spawn_daemon(const std::string& bin, const std::vector<std::string>& args,
                   const fs::path& log) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    std::vector<std::string> env_strings{"HEROKU_API_KEY=bench-token"};
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::string(*e).rfind("HEROKU_API_KEY=", 0) != 0) {
            env_strings.emplace_back(*e);
        }
    }
    std::vector<char*> envp;
    for (auto& e : env_strings) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + bin + ": " + std::strerror(rc));
    }
    return pid;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    const std::string pgshiftd = argc > 1 ? argv[1] : PGSHIFTD_BIN;
    const fs::path dir =
        argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path() / "pgshift-store-restart-bench";
    const int finished = argc > 3 ? std::stoi(argv[3]) : 10000;
    const int active = argc > 4 ? std::stoi(argv[4]) : 10;
    const int runs = argc > 5 ? std::stoi(argv[5]) : 5;
    fs::remove_all(dir);
    fs::create_directories(dir / "template");
    const auto template_db = dir / "template" / "pgshift.db";

    // The history, written fast: synchronous=OFF only while building it (the runs below use
    // the store's own settings), finished upgrades interleaved with nothing else.
    auto t = clock_type::now();
    long events = 0;
    {
        sqlite::database db(template_db);
        persistence::migrate(db);
        db.exec("PRAGMA synchronous=OFF");
        persistence::upgrade_store store(db);
        for (int i = 0; i < finished; ++i) {
            const auto n = std::to_string(i);
            events += bench::write_history(store, "done-" + n, "done-app-" + n);
        }
        for (int i = 0; i < active; ++i) {
            const auto n = std::to_string(i);
            events +=
                bench::write_history(store, "active-" + n, "active-app-" + n, state::provisioning);
        }
    }
    std::printf(
        "store: %d finished + %d active upgrades, %ld events, %.1f MiB, written in %.1f s\n",
        finished, active, events,
        static_cast<double>(fs::file_size(template_db)) / (1024.0 * 1024.0),
        ms_between(t, clock_type::now()) / 1000.0);

    if (runs <= 0) { // only the store: kept, to start pgshiftd on it by hand
        std::printf("store kept in %s\n", template_db.c_str());
        return 0;
    }
    std::vector<double> in_process;
    for (int r = 0; r < runs; ++r) {
        const auto run_db = dir / ("inproc-" + std::to_string(r) + ".db");
        fs::copy_file(template_db, run_db);
        const auto start = clock_type::now();
        sqlite::database db(run_db);
        persistence::migrate(db);
        persistence::upgrade_store store(db);
        const auto loaded = store.load_active();
        in_process.push_back(ms_between(start, clock_type::now()));
        if (loaded.size() != static_cast<std::size_t>(active)) {
            std::fprintf(stderr, "load_active found %zu, expected %d\n", loaded.size(), active);
            return 1;
        }
    }
    std::printf("in process (open + migrate + load_active): median %.2f ms, range %.2f-%.2f ms\n",
                median(in_process), *std::min_element(in_process.begin(), in_process.end()),
                *std::max_element(in_process.begin(), in_process.end()));

    stub_heroku stub;
    std::vector<double> all_polling;
    std::vector<double> first_polling;
    for (int r = 0; r < runs; ++r) {
        const auto state_dir = dir / ("run-" + std::to_string(r));
        fs::create_directories(state_dir);
        fs::copy_file(template_db, state_dir / "pgshift.db");
        stub.reset();
        const auto start = clock_type::now();
        const pid_t pid =
            spawn_daemon(pgshiftd,
                         {"--state-dir", state_dir.string(), "--platform-url", stub.url(),
                          "--data-url", stub.url(), "--listen", "127.0.0.1:0"},
                         state_dir / "pgshiftd.log");
        const auto limit = start + std::chrono::seconds(60);
        std::map<std::string, clock_type::time_point> seen;
        int status = 0;
        bool exited = false;
        for (;;) {
            seen = stub.first_seen();
            const auto actives = std::count_if(seen.begin(), seen.end(), [](const auto& kv) {
                return kv.first.rfind("active-app-", 0) == 0;
            });
            if (actives >= active || clock_type::now() > limit) {
                break;
            }
            if (waitpid(pid, &status, WNOHANG) == pid) {
                exited = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        if (!exited) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        std::vector<double> at;
        for (const auto& [app, when] : seen) {
            if (app.rfind("active-app-", 0) == 0) {
                at.push_back(ms_between(start, when));
            }
            if (app.rfind("done-app-", 0) == 0) {
                std::fprintf(stderr, "a finished upgrade's app was called: %s\n", app.c_str());
            }
        }
        if (at.size() != static_cast<std::size_t>(active)) {
            std::fprintf(stderr, "run %d: %zu of %d active upgrades polled (see %s)\n", r,
                         at.size(), active, (state_dir / "pgshiftd.log").c_str());
            return 1;
        }
        std::sort(at.begin(), at.end());
        first_polling.push_back(at.front());
        all_polling.push_back(at.back());
        std::printf("run %d: first active upgrade polled at %.1f ms, all %d by %.1f ms\n", r,
                    at.front(), active, at.back());
    }
    std::printf("pgshiftd spawn to every active upgrade's first Heroku request: median %.1f ms, "
                "range %.1f-%.1f ms (first: median %.1f ms)\n",
                median(all_polling), *std::min_element(all_polling.begin(), all_polling.end()),
                *std::max_element(all_polling.begin(), all_polling.end()), median(first_polling));
    fs::remove_all(dir);
    return 0;
}
