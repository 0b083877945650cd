// A pgshift::http::server running on its own loop thread, for tests over loopback.
#pragma once

#include "api/http_server.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace pgshift::testing {

class running_server {
public:
    // Builds and starts the server (options.log is captured, see log_lines()), then runs its
    // io_context on a new thread. Constructor exceptions (bad TLS files) propagate.
    explicit running_server(http::handler h, http::server_options options = {});
    // Stops the server and joins the thread; io_context::stop() if run() does not end in 10 s.
    ~running_server();
    running_server(const running_server&) = delete;
    running_server& operator=(const running_server&) = delete;

    std::uint16_t port() const;
    boost::asio::io_context& io();
    // Calls server::stop() (posted to the loop thread).
    void stop();
    // True once the loop thread's run() has returned, waiting at most timeout.
    bool wait_stopped(std::chrono::milliseconds timeout);
    // Runs f on the loop thread and waits for it.
    void on_loop(std::function<void()> f);
    std::vector<std::string> log_lines() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

} // namespace pgshift::testing
