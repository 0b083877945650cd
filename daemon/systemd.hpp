// sd_notify and the watchdog interval (libsystemd); no-ops when not run by systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pgshift::daemon::systemd {

// Each sends one sd_notify message. false when not under systemd ($NOTIFY_SOCKET unset) or
// the message could not be sent; never throws: notification is best effort.
bool notify_ready();    // READY=1: recovery finished and the listener is bound
bool notify_stopping(); // STOPPING=1: draining
bool notify_watchdog(); // WATCHDOG=1: the loop is alive
// STATUS=text, shown by systemctl status; newlines become spaces. Never pass a secret.
bool notify_status(std::string_view text);

// The service manager's watchdog interval ($WATCHDOG_USEC, for this process); nullopt when
// the watchdog is off. Send notify_watchdog() at half of it.
std::optional<std::chrono::microseconds> watchdog_interval();

} // namespace pgshift::daemon::systemd
