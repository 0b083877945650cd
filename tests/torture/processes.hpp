// The processes running on this machine, read from /proc: who is left, who is gone.
#pragma once

#include <string>
#include <vector>

namespace pgshift::torture {

struct process_info {
    std::string pid, ppid;
    char state = '?';    // R, S, D, Z (exited, not reaped yet), ...
    std::string cmdline; // arguments joined by spaces; empty for a zombie
};

// A snapshot; processes that end while it is taken are left out.
std::vector<process_info> processes();

// A live (not zombie) child of this process whose program is `program`.
bool child_running(const std::string& program);

} // namespace pgshift::torture
