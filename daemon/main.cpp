// pgshiftd: owns a state directory, resumes every unfinished upgrade, drives them, and
// serves the control API.
#include "api/control_routes.hpp"
#include "api/http_server.hpp"
#include "daemon/config.hpp"
#include "daemon/control_backend.hpp"
#include "daemon/engine.hpp"
#include "daemon/log.hpp"
#include "daemon/systemd.hpp"
#include "daemon/token_check.hpp"
#include "persistence/schema.hpp"
#include "persistence/state_dir_lock.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

using namespace pgshift;
using daemon::log_level;

namespace {

time_point now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

// WATCHDOG=1 from the loop itself: a loop that hangs stops the pings and systemd restarts it.
void feed_watchdog(boost::asio::steady_timer& timer, std::chrono::microseconds every) {
    timer.expires_after(every);
    timer.async_wait([&timer, every](const boost::system::error_code& ec) {
        if (!ec) {
            daemon::systemd::notify_watchdog();
            feed_watchdog(timer, every);
        }
    });
}

// Heroku answers by status for /metrics, counted on the loop thread.
class request_counter {
public:
    void count(int status) { ++by_status_[status]; }
    std::vector<std::pair<std::string, std::int64_t>> snapshot() const {
        std::vector<std::pair<std::string, std::int64_t>> out;
        for (const auto& [status, n] : by_status_) {
            out.emplace_back(status == 0 ? "error" : std::to_string(status), n);
        }
        return out;
    }

private:
    std::map<int, std::int64_t> by_status_;
};

// Where the Heroku token was read, for messages about it; never the token. A file name
// without a '/' may be a token pasted where its file belongs: it is not shown.
std::string token_origin(const daemon::secret_source& src) {
    if (src.origin == "$CREDENTIALS_DIRECTORY/heroku-token") {
        return "systemd credential heroku-token";
    }
    if (!src.file) {
        return src.origin;
    }
    const std::string name = src.file->string();
    return name.find('/') != std::string::npos ? "token file " + name
                                               : "the token file given by " + src.origin;
}

int run(const daemon::config& cfg, daemon::checked_config checked, const daemon::logger& log) {
    auto lock = persistence::state_dir_lock::acquire(cfg.state_dir);
    if (!lock) {
        log.log(log_level::error, "pgshiftd: " + lock.err().message);
        return 1;
    }
    sqlite::database db(cfg.state_dir / "pgshift.db");
    persistence::upgrade_store store(db);

    // One thread runs the loop (a hint Asio uses to skip work for other runners; posting
    // from the libpq pool stays safe: the scheduler keeps its lock).
    boost::asio::io_context io{1};
    request_counter requests;
    heroku::client_options client_opts = cfg.heroku;
    client_opts.log = log.lines(cfg.heroku_requests_at_debug);
    client_opts.observe = [&requests](int status) {
        requests.count(status);
    };
    heroku::client client(io.get_executor(), std::move(checked.heroku_token), client_opts);
    daemon::engine engine(io, store, client, cfg.engine, now, log.lines());

    daemon::heroku_stats_source stats;
    stats.requests_by_status = [&requests] {
        return requests.snapshot();
    };
    stats.rate_budget_remaining = [&client]() -> std::optional<std::int64_t> {
        return static_cast<std::int64_t>(std::floor(client.budget_available()));
    };
    stats.rate_budget_reserved = [&client] {
        return static_cast<std::int64_t>(std::ceil(client.reserved()));
    };
    daemon::token_check token(io.get_executor(), client, token_origin(cfg.heroku_token),
                              log.lines());
    daemon::engine_control_backend backend(engine, store, db, std::move(stats), &token);
    api::control_options api_opts;
    if (checked.api_token) {
        api_opts.token = checked.api_token->reveal();
    }
    api_opts.log = log.lines();
    const auto& where = cfg.listen;
    auto server_opts =
        api::control_server_options(where.unix_socket ? where.to_string() : where.host, where.port);
    server_opts.log = log.lines();
    server_opts.header_timeout = cfg.api_header_timeout;
    http::server server(io, server_opts, api::make_control_handler(io, backend, api_opts));

    log.log(log_level::info, "pgshiftd: " + checked.summary);
    // Bound before the schema or any upgrade is touched: a busy address changes nothing.
    // Nothing is served before io.run(), and /readyz says 503 until recovery is over.
    server.start(); // throws naming the address when it cannot be bound
    // First request out once the loop runs; Heroku unreachable is not a reason not to start.
    token.start();
    persistence::migrate(db);
    std::size_t resumed = engine.recover();
    backend.mark_ready();
    log.log(log_level::notice, "pgshiftd: state directory " + cfg.state_dir.string() + ", " +
                                   std::to_string(resumed) + " upgrade(s) resumed");
    const std::string listening =
        where.unix_socket ? where.to_string()
                          : "http://" +
                                (where.host.find(':') != std::string::npos ? "[" + where.host + "]"
                                                                           : where.host) +
                                ":" + std::to_string(server.port());
    log.log(log_level::notice, "pgshiftd: listening on " + listening);
    daemon::systemd::notify_ready();
    daemon::systemd::notify_status(std::to_string(resumed) + " upgrade(s) resumed; API on " +
                                   listening);
    boost::asio::steady_timer watchdog(io);
    if (auto interval = daemon::systemd::watchdog_interval()) {
        feed_watchdog(watchdog, *interval / 2);
    }

    // Draining: stop accepting and close idle sessions and streams, give answers being
    // written a moment, then leave the loop. Every commit is synchronous on this thread, so
    // stopping between two handlers never cuts one in half; every upgrade resumes at the
    // next start.
    boost::asio::steady_timer drain(io);
    bool draining = false;
    auto stop = [&](const std::string& why) {
        if (draining) {
            return;
        }
        draining = true;
        daemon::systemd::notify_stopping();
        log.log(log_level::notice, "pgshiftd: " + why + ", stopping");
        server.stop();
        drain.expires_after(
            std::min<std::chrono::milliseconds>(cfg.drain_timeout, std::chrono::seconds(1)));
        drain.async_wait([&io](const boost::system::error_code&) { io.stop(); });
    };
    if (cfg.exit_when_idle) {
        if (engine.running() == 0) {
            return 0;
        }
        engine.on_idle([&stop] { stop("every upgrade ended"); });
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (!ec) {
            stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
        }
    });
    io.run();
    log.log(log_level::notice, "pgshiftd: stopped; unfinished upgrades resume at the next start");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const bool journal = daemon::stderr_is_journal(std::getenv("JOURNAL_STREAM"));
    // Before the logger exists: one line, with a priority only when journald reads it.
    auto fail = [journal](const std::string& message) {
        std::fprintf(stderr, "%spgshiftd: %s\n", journal ? "<3>" : "", message.c_str());
        return 1;
    };
    auto cfg = daemon::load_config(std::vector<std::string>(argv + 1, argv + argc), std::getenv);
    if (!cfg) {
        return fail(cfg.err().message);
    }
    if (cfg->help) {
        std::fputs(cfg->help->c_str(), stdout);
        return 0;
    }
    auto checked = daemon::check_config(*cfg);
    if (!checked) {
        return fail(checked.err().message);
    }
    if (cfg->check_only) {
        std::printf("pgshiftd: %s\n", checked->summary.c_str());
        return 0;
    }
    daemon::log_options log_opts;
    log_opts.level = cfg->level;
    log_opts.timestamps = !journal;
    daemon::logger log(log_opts);
    try {
        return run(*cfg, std::move(checked).value(), log);
    } catch (const std::exception& e) {
        log.log(log_level::critical, std::string("pgshiftd: ") + e.what());
        return 1;
    }
}
