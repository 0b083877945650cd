// A fake Heroku on loopback for the client tests.
#include "tests/heroku/fake_heroku.hpp"

namespace pgshift::testing {

fake_heroku::~fake_heroku() {
    client_.reset();
    if (server_) {
        server_->stop();
    }
    // Let the sessions see the stop and end before the io_context goes away.
    io.run_for(std::chrono::milliseconds(50));
    server_.reset();
}

void fake_heroku::start(http::server_options options) {
    options.log = [](std::string_view) {
    };
    server_.emplace(io, std::move(options), [this](http::request& req) {
        seen.push_back(req);
        return routes.dispatch(req);
    });
    server_->start();
}

std::string fake_heroku::base() const {
    return "http://127.0.0.1:" + std::to_string(port());
}

heroku::client_options fake_heroku::options() const {
    heroku::client_options o;
    o.platform_base = base();
    o.data_base = base();
    o.timeout = std::chrono::seconds(2);
    o.retry.base_delay = std::chrono::milliseconds(10);
    o.retry.max_delay = std::chrono::milliseconds(40);
    return o;
}

heroku::client& fake_heroku::make_client(heroku::client_options opts) {
    opts.log = [this](std::string_view line) {
        log.emplace_back(line);
    };
    client_ = std::make_unique<heroku::client>(
        io.get_executor(), heroku::secret_token("HRKU-test-token-123"), std::move(opts));
    return *client_;
}

std::set<std::uint16_t> fake_heroku::client_ports() const {
    std::set<std::uint16_t> ports;
    for (const auto& r : seen) {
        ports.insert(r.remote_port);
    }
    return ports;
}

} // namespace pgshift::testing
