// The pgshift command line: parse flags (CLI11), run one command, map failures to exit codes.
#pragma once

namespace pgshift::cli {

// Runs pgshift with argv; returns the exit code (cli/errors.hpp). Never throws.
int run_cli(int argc, char** argv);

} // namespace pgshift::cli
