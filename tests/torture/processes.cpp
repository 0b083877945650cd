// The processes running on this machine, read from /proc: who is left, who is gone.
#include "tests/torture/processes.hpp"

#include "tests/support/child_process.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <unistd.h>

namespace pgshift::torture {

std::vector<process_info> processes() {
    std::vector<process_info> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        process_info p;
        p.pid = entry.path().filename().string();
        if (p.pid.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::string stat = testing::read_file(entry.path() / "stat");
        // "pid (comm) state ppid ...": comm may hold spaces, so read after its last ')'.
        auto close = stat.rfind(')');
        if (close == std::string::npos) {
            continue; // gone meanwhile
        }
        std::istringstream rest(stat.substr(close + 1));
        std::string state;
        rest >> state >> p.ppid;
        p.state = state.empty() ? '?' : state[0];
        p.cmdline = testing::read_file(entry.path() / "cmdline");
        std::replace(p.cmdline.begin(), p.cmdline.end(), '\0', ' ');
        out.push_back(std::move(p));
    }
    return out;
}

bool child_running(const std::string& program) {
    const std::string me = std::to_string(::getpid());
    for (const auto& p : processes()) {
        if (p.ppid == me && p.state != 'Z' && p.cmdline.rfind(program + " ", 0) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace pgshift::torture
