// An in-process heroku-emulator on a loopback port, and a JSON-speaking client for it.
#include "tests/emulator/emulator_fixture.hpp"

#include "api/http_server.hpp"

#include <boost/asio/io_context.hpp>

namespace pgshift::testing {

struct running_emulator::impl {
    boost::asio::io_context io;
    std::unique_ptr<http::server> server;
    std::thread thread;
};

running_emulator::running_emulator(emulator::service_options opts,
                                   std::optional<std::string> tls_cert,
                                   std::optional<std::string> tls_key)
    : impl_(std::make_unique<impl>()) {
    if (opts.tokens.empty()) {
        opts.tokens = {test_token};
    }
    service_ = std::make_unique<emulator::service>(std::move(opts));
    http::server_options so;
    so.tls_cert_file = std::move(tls_cert);
    so.tls_key_file = std::move(tls_key);
    so.log = [](std::string_view) {
    };
    const bool tls = so.tls_cert_file.has_value();
    const auto ca = so.tls_cert_file;
    impl_->server = std::make_unique<http::server>(
        impl_->io, so, [this](http::request& req) { return service_->handle(req); });
    impl_->server->start();
    port_ = impl_->server->port();
    impl_->thread = std::thread([this] { impl_->io.run(); });
    client_ = std::make_unique<http_client>(tls ? "localhost" : "127.0.0.1", port_,
                                            tls ? ca : std::nullopt);
}

running_emulator::~running_emulator() {
    client_.reset();
    impl_->server->stop();
    impl_->thread.join();
    impl_->server.reset();
}

json_reply running_emulator::call(std::string_view method, std::string_view target,
                                  const nlohmann::json& body,
                                  std::vector<std::pair<std::string, std::string>> headers,
                                  std::optional<std::string> token) {
    if (token) {
        headers.emplace_back("Authorization", "Bearer " + *token);
    }
    headers.emplace_back("Accept", "application/vnd.heroku+json; version=3");
    std::string text;
    if (!body.is_null()) {
        text = body.dump();
        headers.emplace_back("Content-Type", "application/json");
    }
    json_reply out;
    out.raw = client_->request(method, target, text, headers);
    out.status = out.raw.status;
    out.body = nlohmann::json::parse(out.raw.body, nullptr, false);
    return out;
}

nlohmann::json fast_timings() {
    return {{"provisioning_ms", 0},  {"wait_status_404_ms", 0},
            {"waiting_ms", 0},       {"transfer_pending_ms", 0},
            {"release_phase_ms", 0}, {"throughput_bytes_per_s", 1e12}};
}

} // namespace pgshift::testing
