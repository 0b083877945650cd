// pgshiftd: owns a state directory, resumes every unfinished upgrade and drives them.
#include "daemon/engine.hpp"
#include "daemon/options.hpp"
#include "persistence/schema.hpp"
#include "persistence/state_dir_lock.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

using namespace pgshift;

namespace {

void log_line(std::string_view line) {
    std::string out(line);
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stderr);
}

time_point now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

int run(const daemon::daemon_options& opts, heroku::secret_token token) {
    auto lock = persistence::state_dir_lock::acquire(opts.state_dir);
    if (!lock) {
        log_line("<3>pgshiftd: " + lock.err().message);
        return 1;
    }
    sqlite::database db(opts.state_dir / "pgshift.db");
    persistence::migrate(db);
    persistence::upgrade_store store(db);

    boost::asio::io_context io;
    heroku::client_options client_opts = opts.heroku;
    client_opts.log = log_line;
    heroku::client client(io.get_executor(), std::move(token), client_opts);
    daemon::engine engine(io, store, client, opts.engine, now, log_line);

    std::size_t resumed = engine.recover();
    log_line("<6>pgshiftd: state directory " + opts.state_dir.string() + ", " +
             std::to_string(resumed) + " upgrade(s) resumed");
    for (const upgrade_request& request : opts.start) {
        auto started = engine.start(request);
        if (!started) {
            log_line("<3>pgshiftd: cannot start an upgrade of " + request.app + ": " +
                     started.err().message);
            continue;
        }
        std::cout << started->id << std::endl;
    }
    if (opts.exit_when_idle) {
        if (engine.running() == 0) {
            return 0;
        }
        engine.on_idle([&io] { io.stop(); });
    }
    // Every commit is synchronous on this thread, so stopping the loop between two handlers
    // never cuts one in half; every upgrade resumes at the next start.
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (!ec) {
            log_line("<5>pgshiftd: signal " + std::to_string(sig) + ", stopping");
            io.stop();
        }
    });
    io.run();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::fputs(daemon::usage_text, stdout);
        return 0;
    }
    auto opts = daemon::parse_options(args, std::getenv);
    if (!opts) {
        std::fprintf(stderr, "pgshiftd: %s\n%s", opts.err().message.c_str(), daemon::usage_text);
        return 2;
    }
    auto token = daemon::load_token(*opts, std::getenv);
    if (!token) {
        std::fprintf(stderr, "pgshiftd: %s\n", token.err().message.c_str());
        return 2;
    }
    try {
        return run(*opts, std::move(token).value());
    } catch (const std::exception& e) {
        log_line(std::string("<2>pgshiftd: ") + e.what());
        return 1;
    }
}
