// Exclusive ownership of a state directory, so two daemons never drive one upgrade.
#pragma once

#include "statemachine/result.hpp"

#include <filesystem>
#include <memory>

namespace pgshift::persistence {

// Holds an exclusive flock on `<dir>/pgshiftd.lock` for its lifetime; the file holds the
// owner's pid so a refused second owner can say who holds it. The kernel drops the lock
// when the process dies, even by SIGKILL, so a crash never leaves the directory stuck.
class state_dir_lock {
public:
    // Creates the directory (0700) if needed. conflict: another process (or another lock in
    // this one) holds it; the message names the holder's pid. Throws std::system_error when
    // the directory or lock file cannot be created.
    static result<std::unique_ptr<state_dir_lock>> acquire(const std::filesystem::path& dir);

    ~state_dir_lock();
    state_dir_lock(const state_dir_lock&) = delete;
    state_dir_lock& operator=(const state_dir_lock&) = delete;

    const std::filesystem::path& dir() const noexcept { return dir_; }

private:
    state_dir_lock(std::filesystem::path dir, int fd)
        : dir_(std::move(dir))
        , fd_(fd) {}
    std::filesystem::path dir_;
    int fd_;
};

} // namespace pgshift::persistence
