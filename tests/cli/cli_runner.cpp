// Running the built pgshift binary in CLI process tests.
#include "tests/cli/cli_runner.hpp"

#include "tests/api/server_fixture.hpp"
#include "tests/support/child_process.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pgshift::testing {

using namespace std::chrono_literals;

run_result run_pgshift_command(std::vector<std::string> args, std::vector<std::string> env) {
    // The operator's own settings must not leak in: extra env entries come after the parent's.
    ::unsetenv("PGSHIFT_API");
    ::unsetenv("PGSHIFT_API_TOKEN_FILE");
    static int n = 0;
    const temp_dir dir;
    env.emplace_back("PGSHIFT_POLL_INTERVAL_MS=20");
    const auto out = dir.path() + "/out" + std::to_string(++n);
    const auto err = dir.path() + "/err" + std::to_string(n);
    child_process child(args, env, out, err);
    const auto status = child.wait_for(30s);
    run_result r;
    r.out = child.out();
    r.err = child.err();
    if (!status) {
        ADD_FAILURE() << "pgshift still running after 30 s\n" << r.out << r.err;
        return r;
    }
    r.code = status->exited ? status->code : -1;
    return r;
}

run_result run_pgshift(std::vector<std::string> args, std::vector<std::string> env) {
    args.insert(args.begin(), PGSHIFT_CLI_BIN);
    return run_pgshift_command(std::move(args), std::move(env));
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

std::uint16_t unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

} // namespace pgshift::testing
