// The version every program prints on --version: the project's and the commit it was built from.
#pragma once

#include <string>
#include <string_view>

namespace pgshift {

// The project version (CMake's project(VERSION)), e.g. "0.1.0".
std::string_view project_version();
// `git describe --always --dirty --tags` of the source tree at build time, "unknown" outside git.
std::string_view git_description();

// "PROGRAM 0.1.0 (git 77ae41a)": the one line --version prints.
inline std::string version_line(std::string_view program) {
    return std::string(program) + " " + std::string(project_version()) + " (git " +
           std::string(git_description()) + ")";
}

} // namespace pgshift
