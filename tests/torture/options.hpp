// pgshift-torture's command line.
#pragma once

#include "statemachine/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pgshift::torture {

struct options {
    std::uint64_t seed = 1;
    int trials = 30;
    std::optional<int> only; // run this trial index alone (to reproduce one failure)
    double fault_rate = 0.5; // each fault kind joins a trial's mix with this probability
    std::optional<std::filesystem::path> report; // the output, written there too
    std::optional<std::filesystem::path> work_dir;
    bool keep = false; // keep every trial's directory, not only the failed ones'
};

// The usage text, for --help and for errors.
std::string usage();

// --help asks for the usage (help = true); any other error names the bad argument.
struct parse_error {
    std::string message;
    bool help = false;
};
expected<options, parse_error> parse_options(const std::vector<std::string>& args);

} // namespace pgshift::torture
