// bench/api: requests/s of pgshiftd's control API against a minimal Beast server answering
// the same bytes, and /metrics latency with a long history. Loopback only.
//
// Usage: api_bench PGSHIFTD MINIMAL_SERVER [--seconds S] [--rounds R] [--connections C]
//                  [--history N] [--schema V] [--dir DIR]
//
// Seeds a state directory with one finished upgrade (a full history, created through the
// store as pgshiftd would), starts pgshiftd on it (Heroku pointed at a closed loopback port:
// nothing is resumed, nothing leaves the machine), reads GET /v1/upgrades/{id} once and
// starts the minimal server with exactly that body. Then, R rounds of S seconds each
// against (a) the minimal server, (b) pgshiftd's GET /v1/upgrades/{id}, (c) pgshiftd's
// /healthz, by one load generator thread with C keep-alive connections, one request in
// flight per connection (no pipelining). Then a second state directory with N finished
// upgrades, and the latency of sequential GET /metrics against pgshiftd on it.
#include "persistence/schema.hpp"
#include "persistence/upgrade_store.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace pgshift;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

struct options {
    std::string pgshiftd;
    std::string minimal;
    double seconds = 3;
    int rounds = 3;
    int connections = 8;
    int history = 10'000;
    int schema = 0; // 0: the latest; an older one to measure a pgshiftd built before it
    fs::path dir = fs::temp_directory_path() / "pgshift-api-bench";
};

[[noreturn]] void fail(const std::string& why) {
    std::fprintf(stderr, "api_bench: %s\n", why.c_str());
    std::exit(1);
}

// ---- seeding, through the store as pgshiftd writes ----------------------------------------

time_point at_ms(std::int64_t ms) {
    return time_point{std::chrono::milliseconds(ms)};
}

// One upgrade from pending to succeeded with the step data and history a real run leaves:
// every step entered, its effects requested and recorded, progress reported during the
// transfers. Returns its id.
std::string seed_finished(persistence::upgrade_store& store, int n, std::int64_t t0) {
    upgrade u;
    u.id = "upg-" + std::to_string(100000 + n);
    u.request.app = "app-" + std::to_string(n);
    u.request.plan = "heroku-postgresql:standard-0";
    u.request.pg_version = "16";
    std::int64_t t = t0;
    u = store.create(u, at_ms(t)).value();
    std::int64_t effect = 0;
    auto step = [&](state s, const std::string& identity) {
        u.current = s;
        u.step_started_at = at_ms(t);
        u = store.transition(u, {event_type::step_completed, ""}, at_ms(t += 40)).value();
        if (!identity.empty()) {
            u.effects = ++effect;
            u.open_effect = effect;
            u = store.transition(u, {event_type::effect_requested, "", effect, ""}, at_ms(t += 5))
                    .value();
            u.open_effect = 0;
            u = store
                    .transition(u, {event_type::effect_recorded, "", effect, identity},
                                at_ms(t += 900))
                    .value();
        }
    };
    step(state::provisioning, "addon-" + u.id);
    u.target_addon_id = "addon-" + u.id;
    u.target_addon_name = "postgresql-" + u.id;
    u.source_addon_id = "source-" + u.id;
    u.source_addon_name = "postgresql-source-" + u.id;
    u.source_plan = "heroku-postgresql:essential-0";
    u.source_version = "15.4";
    u.target_version = "16";
    step(state::entering_maintenance, "maintenance-on");
    u.downtime.began = at_ms(t);
    u.original_maintenance = false;
    u.formation = {{"web", 1}, {"worker", 2}};
    step(state::scaling_down, "formation");
    step(state::capturing, "b001");
    u.backup_uuid = "b001-" + u.id;
    u.backup_num = 1;
    for (int p = 1; p <= 3; ++p) {
        u.transfer.processed_bytes = p * 1'000'000;
        u.transfer.total_bytes = 3'000'000;
        u.transfer.at = at_ms(t += 3000);
        u = store.transition(u, {event_type::progress, "capture"}, at_ms(t)).value();
    }
    u.downtime.capture_ms = 9000;
    step(state::restoring, "r001");
    u.restore_uuid = "r001-" + u.id;
    u.downtime.restore_ms = 9000;
    step(state::verifying, "");
    step(state::promoting, "v42");
    u.release_before_promote = 41;
    step(state::scaling_up, "formation");
    step(state::leaving_maintenance, "maintenance-off");
    u.downtime.ended = at_ms(t);
    step(state::confirming, "");
    u.current = state::succeeded;
    u.finished_at = at_ms(t += 50);
    u = store.transition(u, {event_type::step_completed, "succeeded"}, at_ms(t)).value();
    return u.id;
}

// A fresh state directory holding `count` finished upgrades; returns the last one's id. The
// first is made through the store; the others are its copies (own id, app and times), made
// in one transaction: 10,000 upgrades through the store take minutes.
std::string seed_dir(const fs::path& dir, int count, int schema) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    sqlite::database db(dir / "pgshift.db");
    persistence::migrate(db, schema == 0 ? persistence::latest_schema_version() : schema);
    db.exec("PRAGMA synchronous=OFF"); // seeding only: pgshiftd reopens it with FULL
    persistence::upgrade_store store(db);
    const std::int64_t t0 = 1'780'000'000'000;
    const std::string first = seed_finished(store, 0, t0);
    std::string id = first;
    db.exec("BEGIN IMMEDIATE");
    db.exec("CREATE TEMP TABLE copy AS SELECT * FROM upgrades WHERE id = '" + first + "'");
    for (int i = 1; i < count; ++i) {
        id = "upg-" + std::to_string(100000 + i);
        const std::int64_t shift = std::int64_t{i} * 120'000;
        sqlite::statement row(db, "UPDATE copy SET id = ?, app = ?, created_at = ?, "
                                  "updated_at = updated_at + ?, finished_at = finished_at + ?");
        row.bind(1, id).bind(2, "app-" + std::to_string(i)).bind(3, t0 + shift);
        row.bind(4, std::int64_t{120'000}).bind(5, std::int64_t{120'000}).run();
        sqlite::statement(db, "INSERT INTO upgrades SELECT * FROM copy").run();
        sqlite::statement events(db, "INSERT INTO events SELECT ?, seq, at + ?, type, from_state, "
                                     "to_state, detail, effect_id, identity FROM events WHERE "
                                     "upgrade_id = ?");
        events.bind(1, id).bind(2, shift).bind(3, first).run();
        sqlite::statement formation(db, "INSERT INTO upgrade_formation SELECT ?, type, quantity "
                                        "FROM upgrade_formation WHERE upgrade_id = ?");
        formation.bind(1, id).bind(2, first).run();
    }
    db.exec("DROP TABLE copy");
    db.exec("COMMIT");
    return id;
}

// ---- child processes ----------------------------------------------------------------------

struct child {
    pid_t pid = -1;
    fs::path out;
    fs::path err;

    ~child() {
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            int st = 0;
            ::waitpid(pid, &st, 0);
        }
    }
};

void spawn(child& c, const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    std::vector<std::string> env_text;
    for (char** e = environ; *e != nullptr; ++e) {
        env_text.emplace_back(*e);
    }
    env_text.insert(env_text.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : env_text) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, c.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = posix_spawn(&c.pid, args[0], &fa, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fail("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The port a child printed after `needle`, within 30 s.
std::uint16_t wait_port(const child& c, const fs::path& file, const std::string& needle) {
    for (int i = 0; i < 1500; ++i) {
        const std::string text = slurp(file);
        const auto at = text.find(needle);
        if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
            return static_cast<std::uint16_t>(std::stoi(text.substr(at + needle.size())));
        }
        int st = 0;
        if (::waitpid(c.pid, &st, WNOHANG) == c.pid) {
            fail("child exited before serving: " + slurp(c.err));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    fail("child did not start serving: " + slurp(c.err));
}

std::uint16_t start_pgshiftd(child& c, const options& o, const fs::path& state_dir) {
    c.out = state_dir / "pgshiftd.out";
    c.err = state_dir / "pgshiftd.err";
    // Heroku at a closed port: the token check fails quietly, and the state holds nothing
    // to resume.
    spawn(c,
          {o.pgshiftd, "--state-dir", state_dir.string(), "--platform-url", "http://127.0.0.1:9",
           "--data-url", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"},
          {"HEROKU_API_KEY=api-bench-token"});
    return wait_port(c, c.err, "listening on http://127.0.0.1:");
}

// ---- a blocking client for single requests ------------------------------------------------

struct reply {
    std::string head;
    std::string body;
};

// Reads one response off s: head through the blank line, then Content-Length bytes.
reply read_reply(tcp::socket& s, std::string& buf) {
    std::size_t end = 0;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        char chunk[65536];
        buf.append(chunk, s.read_some(net::buffer(chunk)));
    }
    reply r;
    r.head = buf.substr(0, end + 4);
    const auto cl = r.head.find("Content-Length: ");
    const std::size_t length = cl == std::string::npos ? 0 : std::stoul(r.head.substr(cl + 16));
    while (buf.size() < end + 4 + length) {
        char chunk[65536];
        buf.append(chunk, s.read_some(net::buffer(chunk)));
    }
    r.body = buf.substr(end + 4, length);
    buf.erase(0, end + 4 + length);
    return r;
}

std::string request_for(const std::string& target) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

// ---- the load generator -------------------------------------------------------------------

struct load_result {
    std::int64_t requests = 0;
    std::int64_t errors = 0;
    double seconds = 0;
    double per_second() const { return static_cast<double>(requests) / seconds; }
};

// One keep-alive connection: a request, its whole answer, the next, until the deadline.
net::awaitable<void> drive(tcp::endpoint to, const std::string& req, steady::time_point until,
                           load_result& out) {
    tcp::socket s(co_await net::this_coro::executor);
    auto [cec] = co_await s.async_connect(to, net::as_tuple(net::use_awaitable));
    if (cec) {
        ++out.errors;
        co_return;
    }
    std::string buf;
    std::vector<char> chunk(65536);
    while (steady::now() < until) {
        auto [wec, wn] =
            co_await net::async_write(s, net::buffer(req), net::as_tuple(net::use_awaitable));
        if (wec) {
            ++out.errors;
            co_return;
        }
        std::size_t need = std::string::npos;
        for (;;) {
            if (need == std::string::npos) {
                const auto end = buf.find("\r\n\r\n");
                if (end != std::string::npos) {
                    const auto cl = buf.find("Content-Length: ");
                    if (cl == std::string::npos || cl > end || buf.compare(9, 3, "200") != 0) {
                        ++out.errors;
                        co_return;
                    }
                    need = end + 4 + std::stoul(buf.substr(cl + 16));
                }
            }
            if (need != std::string::npos && buf.size() >= need) {
                buf.erase(0, need);
                break;
            }
            auto [rec, rn] =
                co_await s.async_read_some(net::buffer(chunk), net::as_tuple(net::use_awaitable));
            if (rec) {
                ++out.errors;
                co_return;
            }
            buf.append(chunk.data(), rn);
        }
        ++out.requests;
    }
}

load_result load(std::uint16_t port, const std::string& target, const options& o) {
    net::io_context io{1};
    load_result r;
    const tcp::endpoint to{net::ip::make_address("127.0.0.1"), port};
    const std::string req = request_for(target);
    const auto started = steady::now();
    const auto until = started + std::chrono::duration_cast<steady::duration>(
                                     std::chrono::duration<double>(o.seconds));
    for (int i = 0; i < o.connections; ++i) {
        net::co_spawn(io, drive(to, req, until, r), net::detached);
    }
    io.run();
    r.seconds = std::chrono::duration<double>(steady::now() - started).count();
    return r;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

options parse(int argc, char** argv) {
    if (argc < 3) {
        fail("usage: api_bench PGSHIFTD MINIMAL_SERVER [--seconds S] [--rounds R] "
             "[--connections C] [--history N] [--schema V] [--dir DIR]");
    }
    options o;
    o.pgshiftd = argv[1];
    o.minimal = argv[2];
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--seconds") {
            o.seconds = std::stod(value);
        } else if (flag == "--rounds") {
            o.rounds = std::stoi(value);
        } else if (flag == "--connections") {
            o.connections = std::stoi(value);
        } else if (flag == "--history") {
            o.history = std::stoi(value);
        } else if (flag == "--schema") {
            o.schema = std::stoi(value);
        } else if (flag == "--dir") {
            o.dir = value;
        } else {
            fail("unknown option " + flag);
        }
    }
    return o;
}

} // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    net::io_context io;

    // Requests/s: one finished upgrade.
    const fs::path one = o.dir / "one";
    const std::string id = seed_dir(one, 1, o.schema);
    child daemon;
    const std::uint16_t daemon_port = start_pgshiftd(daemon, o, one);
    tcp::socket probe(io);
    probe.connect({net::ip::make_address("127.0.0.1"), daemon_port});
    const std::string target = "/v1/upgrades/" + id;
    net::write(probe, net::buffer(request_for(target)));
    std::string buf;
    const reply sample = read_reply(probe, buf);
    probe.close();
    if (sample.head.compare(9, 3, "200") != 0) {
        fail("GET " + target + " answered " + sample.head);
    }
    const fs::path body_file = o.dir / "body.json";
    std::ofstream(body_file, std::ios::binary) << sample.body;
    child minimal;
    minimal.out = o.dir / "minimal.out";
    minimal.err = o.dir / "minimal.err";
    spawn(minimal, {o.minimal, body_file.string()}, {});
    const std::uint16_t minimal_port = wait_port(minimal, minimal.out, "port ");
    {
        tcp::socket check(io);
        check.connect({net::ip::make_address("127.0.0.1"), minimal_port});
        net::write(check, net::buffer(request_for(target)));
        std::string cbuf;
        const reply same = read_reply(check, cbuf);
        if (same.body != sample.body) {
            fail("the minimal server's body differs from pgshiftd's");
        }
        std::printf("answer: %zu-byte body; head %zu bytes from pgshiftd, %zu from the minimal "
                    "server\n",
                    sample.body.size(), sample.head.size(), same.head.size());
    }

    std::vector<double> minimal_rps, get_rps, health_rps, get_ratio, health_ratio;
    std::int64_t errors = 0;
    for (int round = 1; round <= o.rounds; ++round) {
        const auto m = load(minimal_port, target, o);
        const auto g = load(daemon_port, target, o);
        const auto h = load(daemon_port, "/healthz", o);
        errors += m.errors + g.errors + h.errors;
        minimal_rps.push_back(m.per_second());
        get_rps.push_back(g.per_second());
        health_rps.push_back(h.per_second());
        get_ratio.push_back(g.per_second() / m.per_second());
        health_ratio.push_back(h.per_second() / m.per_second());
        std::printf("round %d: minimal %.0f/s, GET /v1/upgrades/{id} %.0f/s (%.3fx), /healthz "
                    "%.0f/s (%.3fx)\n",
                    round, m.per_second(), g.per_second(), get_ratio.back(), h.per_second(),
                    health_ratio.back());
        std::fflush(stdout);
    }
    std::printf("median of %d rounds of %.0f s, %d connections: minimal %.0f/s, GET %.0f/s "
                "(%.3fx), /healthz %.0f/s (%.3fx); %lld errors\n",
                o.rounds, o.seconds, o.connections, median(minimal_rps), median(get_rps),
                median(get_ratio), median(health_rps), median(health_ratio),
                static_cast<long long>(errors));

    // /metrics with a long history.
    const fs::path many = o.dir / "history";
    const auto seeding = steady::now();
    seed_dir(many, o.history, o.schema);
    std::printf("seeded %d finished upgrades in %.1f s\n", o.history,
                std::chrono::duration<double>(steady::now() - seeding).count());
    child big;
    const std::uint16_t big_port = start_pgshiftd(big, o, many);
    tcp::socket metrics(io);
    metrics.connect({net::ip::make_address("127.0.0.1"), big_port});
    std::vector<double> ms;
    std::string mbuf;
    for (int i = 0; i < 20; ++i) {
        const auto t = steady::now();
        net::write(metrics, net::buffer(request_for("/metrics")));
        const reply r = read_reply(metrics, mbuf);
        ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - t).count());
        if (r.head.compare(9, 3, "200") != 0) {
            fail("/metrics answered " + r.head);
        }
    }
    std::printf("/metrics with %d finished upgrades: median %.2f ms, max %.2f ms (20 requests)\n",
                o.history, median(ms), *std::max_element(ms.begin(), ms.end()));
    // The row for bench/RESULTS.md (date, machine, build and command are bench/api's).
    std::printf("ROW | %.0f | %.0f | %.3f | %.0f | %.3f | %.2f ms |\n", median(minimal_rps),
                median(get_rps), median(get_ratio), median(health_rps), median(health_ratio),
                median(ms));
    fs::remove_all(o.dir);
    return errors == 0 ? 0 : 1;
}
