// sd_notify and the watchdog interval (libsystemd); no-ops when not run by systemd.
#include "daemon/systemd.hpp"

#include <cstdint>
#include <string>
#include <systemd/sd-daemon.h>

namespace pgshift::daemon::systemd {
namespace {

// sd_notify: > 0 sent, 0 no $NOTIFY_SOCKET, < 0 an error.
bool send(const std::string& message) {
    return ::sd_notify(0, message.c_str()) > 0;
}

} // namespace

bool notify_ready() {
    return send("READY=1");
}

bool notify_stopping() {
    return send("STOPPING=1");
}

bool notify_watchdog() {
    return send("WATCHDOG=1");
}

bool notify_status(std::string_view text) {
    std::string message = "STATUS=";
    for (char c : text) {
        message += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return send(message);
}

std::optional<std::chrono::microseconds> watchdog_interval() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) {
        return std::nullopt;
    }
    return std::chrono::microseconds(usec);
}

} // namespace pgshift::daemon::systemd
