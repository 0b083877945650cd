// The processes running on this machine, read from /proc: who is left, who is gone.
#include "tests/torture/processes.hpp"

#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <sstream>
#include <unistd.h>

namespace pgshift::torture {
namespace {

// A /proc file's text, "" when its process is gone. Not through a stream: reading the file
// of a process that exits meanwhile fails with ESRCH, which libstdc++'s filebuf turns into an
// exception whatever the stream's exception mask.
std::string read_proc_file(const std::filesystem::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return {};
    }
    std::string text;
    char buf[4096];
    for (;;) {
        const auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0) {
            break; // end, or the process went away: what was read is all there is
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

} // namespace

std::vector<process_info> processes() {
    std::vector<process_info> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        process_info p;
        p.pid = entry.path().filename().string();
        if (p.pid.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::string stat = read_proc_file(entry.path() / "stat");
        // "pid (comm) state ppid ...": comm may hold spaces, so read after its last ')'.
        auto close = stat.rfind(')');
        if (close == std::string::npos) {
            continue; // gone meanwhile
        }
        std::istringstream rest(stat.substr(close + 1));
        std::string state;
        rest >> state >> p.ppid;
        p.state = state.empty() ? '?' : state[0];
        p.cmdline = read_proc_file(entry.path() / "cmdline");
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
