// Helpers for the emulator/pg tests: callback recorder, lock holder, waiting, admin URLs.
#pragma once

#include "emulator/pg/pg_backend.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <libpq-fe.h>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace pgshift::testing {

// Records what a transfer reports; wait() blocks until on_done (or throws after `limit`).
class transfer_recorder {
public:
    emulator::transfer_callbacks callbacks() {
        return {[this](std::int64_t bytes) {
                    std::lock_guard lock(m_);
                    progress_.push_back(bytes);
                },
                [this](const emulator::transfer_outcome& out) {
                    std::lock_guard lock(m_);
                    ++done_;
                    outcome_ = out;
                    cv_.notify_all();
                }};
    }
    emulator::transfer_outcome wait(std::chrono::seconds limit = std::chrono::seconds(20)) {
        std::unique_lock lock(m_);
        if (!cv_.wait_for(lock, limit, [this] { return done_ > 0; })) {
            throw std::runtime_error("transfer did not finish in time");
        }
        return outcome_;
    }
    std::vector<std::int64_t> progress() const {
        std::lock_guard lock(m_);
        return progress_;
    }
    int done_count() const {
        std::lock_guard lock(m_);
        return done_;
    }

private:
    mutable std::mutex m_;
    std::condition_variable cv_;
    std::vector<std::int64_t> progress_;
    int done_ = 0;
    emulator::transfer_outcome outcome_;
};

// `admin_url` pointed at database `name` instead of its own.
inline std::string admin_url_for(const std::string& admin_url, const std::string& name) {
    auto query = admin_url.find('?');
    auto path = admin_url.rfind('/', query);
    return admin_url.substr(0, path + 1) + name +
           (query == std::string::npos ? "" : admin_url.substr(query));
}

// Holds a transaction open after running `sql` (e.g. LOCK TABLE), until destroyed.
class open_transaction {
public:
    open_transaction(const std::string& url, const std::string& sql)
        : conn_(PQconnectdb(url.c_str())) {
        bool ok = PQstatus(conn_) == CONNECTION_OK;
        if (ok) {
            PGresult* r = PQexec(conn_, ("BEGIN; " + sql).c_str());
            ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
        }
        if (!ok) {
            std::string message = PQerrorMessage(conn_);
            PQfinish(conn_);
            throw std::runtime_error(message);
        }
    }
    open_transaction(const open_transaction&) = delete;
    open_transaction& operator=(const open_transaction&) = delete;
    ~open_transaction() { PQfinish(conn_); }

private:
    PGconn* conn_;
};

// Polls `done` every 20 ms for up to `limit`; returns its last answer.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

} // namespace pgshift::testing
