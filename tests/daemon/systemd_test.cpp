// sd_notify through a real datagram socket; no-ops without $NOTIFY_SOCKET.
#include "daemon/systemd.hpp"
#include "tests/unit/temp_dir.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace pgshift::daemon;

namespace {

TEST(systemd_test, no_op_outside_systemd) {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    EXPECT_FALSE(systemd::notify_ready());
    EXPECT_FALSE(systemd::notify_watchdog());
    EXPECT_FALSE(systemd::watchdog_interval());
}

TEST(systemd_test, messages_reach_the_notify_socket) {
    pgshift::testing::temp_dir dir;
    auto path = (dir / "notify").string();
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    auto receive = [fd] {
        char buf[256];
        auto n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        return n < 0 ? std::string("(nothing)") : std::string(buf, static_cast<std::size_t>(n));
    };
    EXPECT_TRUE(systemd::notify_ready());
    EXPECT_EQ(receive(), "READY=1");
    EXPECT_TRUE(systemd::notify_stopping());
    EXPECT_EQ(receive(), "STOPPING=1");
    EXPECT_TRUE(systemd::notify_watchdog());
    EXPECT_EQ(receive(), "WATCHDOG=1");
    EXPECT_TRUE(systemd::notify_status("2 upgrades\nrunning"));
    EXPECT_EQ(receive(), "STATUS=2 upgrades running");
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd);
}

TEST(systemd_test, watchdog_interval_is_for_this_process_only) {
    ::setenv("WATCHDOG_USEC", "20000000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    EXPECT_EQ(systemd::watchdog_interval(), std::chrono::seconds(20));
    ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
    EXPECT_FALSE(systemd::watchdog_interval());
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
}

} // namespace
