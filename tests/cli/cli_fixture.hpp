// The fixture of the CLI process tests: a fake control API, a scratch directory, and the
// helpers every such test uses.
#pragma once

#include "tests/api/server_fixture.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/cli/fake_control_api.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace pgshift::testing {

class cli_fake_api_test : public ::testing::Test {
protected:
    fake_control_api api;
    temp_dir dir;

    // args with --api pointing at the fake API first.
    std::vector<std::string> with_api(std::vector<std::string> args) {
        args.insert(args.begin(), {"--api", api.url()});
        return args;
    }
    std::string write_file(const std::string& name, const std::string& text) {
        const auto path = dir.path() + "/" + name;
        std::ofstream(path) << text;
        return path;
    }
};

} // namespace pgshift::testing
