// heroku-emulator: owns the event loop, the HTTP server and the signals; the rest is service.
#include "api/http_server.hpp"
#include "common/version.hpp"
#include "emulator/options.hpp"
#include "emulator/pg_database_host.hpp"
#include "emulator/service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace net = boost::asio;
using namespace pgshift;

namespace {

std::filesystem::path make_state_dir(const emulator::emulator_options& o) {
    auto dir = o.state_dir.value_or(std::filesystem::temp_directory_path() /
                                    ("heroku-emulator-" + std::to_string(::getpid())));
    std::filesystem::create_directories(dir);
    return dir;
}

// The default state directory is ours alone: its dumps go with the process. One given with
// --state-dir is the caller's and stays.
struct default_dir_removal {
    explicit default_dir_removal(std::optional<std::filesystem::path> d)
        : dir(std::move(d)) {}
    std::optional<std::filesystem::path> dir;
    ~default_dir_removal() {
        std::error_code ignored;
        if (dir) {
            std::filesystem::remove_all(*dir, ignored);
        }
    }
    default_dir_removal(const default_dir_removal&) = delete;
    default_dir_removal& operator=(const default_dir_removal&) = delete;
};

int run(const emulator::emulator_options& o) {
    emulator::service_options so;
    so.tokens = o.tokens;
    so.page_size = o.page_size;
    so.state_dir = make_state_dir(o);
    // Declared before the service, so it runs after the service has stopped every job.
    default_dir_removal removal{o.state_dir ? std::nullopt : std::optional{so.state_dir}};
    if (o.postgres) {
        so.host = std::make_shared<emulator::pg_database_host>(*o.postgres);
    }
    emulator::service svc(std::move(so));
    net::io_context io;
    http::server_options opts;
    opts.address = o.address;
    opts.port = o.port;
    opts.tls_cert_file = o.tls_cert;
    opts.tls_key_file = o.tls_key;
    opts.server_name = "heroku-emulator";
    opts.body_limit = 16 * 1024 * 1024; // seed SQL can be large
    http::server server(io, opts, [&svc](http::request& req) { return svc.handle(req); });
    server.start();
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { server.stop(); });
    const bool tls = o.tls_cert.has_value();
    const auto host = o.address.find(':') != std::string::npos ? "[" + o.address + "]" : o.address;
    std::cout << "listening " << (tls ? "https://" : "http://") << host << ":" << server.port()
              << std::endl;
    io.run();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const auto parsed = emulator::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (const auto* problem = std::get_if<std::string>(&parsed)) {
        std::cerr << "heroku-emulator: " << *problem << "\n";
        return 2;
    }
    const auto& o = std::get<emulator::emulator_options>(parsed);
    if (o.help) {
        std::cout << emulator::usage();
        return 0;
    }
    if (o.version) {
        std::cout << version_line("heroku-emulator") << "\n";
        return 0;
    }
    try {
        return run(o);
    } catch (const std::exception& e) {
        // Startup failures (port taken, bad certificate, unreachable --postgres): one line.
        std::cerr << "heroku-emulator: " << e.what() << "\n";
        return 1;
    }
}
