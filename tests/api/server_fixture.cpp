// A pgshift::http::server running on its own loop thread, for tests over loopback.
#include "tests/api/server_fixture.hpp"

#include <boost/asio.hpp>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unistd.h>

namespace pgshift::testing {

struct running_server::impl {
    boost::asio::io_context io;
    std::optional<http::server> server;
    std::thread thread;
    std::future<void> finished;
    mutable std::mutex log_mutex;
    std::vector<std::string> log;
};

running_server::running_server(http::handler h, http::server_options options)
    : impl_(std::make_unique<impl>()) {
    options.log = [self = impl_.get()](std::string_view line) {
        const std::lock_guard lock{self->log_mutex};
        self->log.emplace_back(line);
    };
    impl_->server.emplace(impl_->io, std::move(options), std::move(h));
    impl_->server->start();
    std::promise<void> done;
    impl_->finished = done.get_future();
    impl_->thread = std::thread([self = impl_.get(), done = std::move(done)]() mutable {
        self->io.run();
        done.set_value();
    });
}

running_server::~running_server() {
    stop();
    if (!wait_stopped(std::chrono::seconds(10))) {
        impl_->io.stop();
    }
    impl_->thread.join();
    impl_->server.reset(); // after run() returned: nothing else touches it
}

std::uint16_t running_server::port() const {
    return impl_->server->port();
}

boost::asio::io_context& running_server::io() {
    return impl_->io;
}

void running_server::stop() {
    impl_->server->stop();
}

bool running_server::wait_stopped(std::chrono::milliseconds timeout) {
    return impl_->finished.wait_for(timeout) == std::future_status::ready;
}

void running_server::on_loop(std::function<void()> f) {
    std::promise<void> done;
    auto future = done.get_future();
    boost::asio::post(impl_->io, [&] {
        f();
        done.set_value();
    });
    future.wait();
}

std::vector<std::string> running_server::log_lines() const {
    const std::lock_guard lock{impl_->log_mutex};
    return impl_->log;
}

temp_dir::temp_dir() {
    std::random_device random;
    const auto name = "pgshift-test-" + std::to_string(::getpid()) + "-" + std::to_string(random());
    const auto dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(dir);
    path_ = dir.string();
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

} // namespace pgshift::testing
