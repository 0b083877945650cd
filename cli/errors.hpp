// The CLI's exit codes and the failures that end a command with one of them.
#pragma once

#include <stdexcept>
#include <string>

namespace pgshift::cli {

// The contract's exit codes (docs/control-api.md, CLI).
enum exit_code : int {
    exit_ok = 0,          // success; watch: the upgrade succeeded
    exit_failed = 1,      // the upgrade failed/rolled back/was cancelled, the API refused, or a
                          // start was not confirmed
    exit_usage = 2,       // bad flags, missing arguments, unreadable token file
    exit_unreachable = 3, // no answer from pgshiftd at the address tried
};

// Bad flags or arguments; the message is printed as "pgshift: <message>".
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The daemon could not be reached: connection refused, socket missing, a deadline passed,
// the connection dropped, or what answered did not speak HTTP. what() names the address.
class unreachable_error : public std::runtime_error {
public:
    explicit unreachable_error(const std::string& what, bool denied = false)
        : std::runtime_error(what)
        , denied_(denied) {}
    // The unix socket is there but its permissions keep us out: pgshiftd runs.
    bool denied() const noexcept { return denied_; }

private:
    bool denied_ = false;
};

// The operator did not confirm a start (a wrong answer to "type APP to confirm"): exit 1.
class aborted_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The API answered with an error status; message is the error body's "message".
class api_error : public std::runtime_error {
public:
    api_error(int status, std::string id, const std::string& message)
        : std::runtime_error(message)
        , status_(status)
        , id_(std::move(id)) {}
    int status() const noexcept { return status_; }
    const std::string& id() const noexcept { return id_; }

private:
    int status_;
    std::string id_;
};

} // namespace pgshift::cli
