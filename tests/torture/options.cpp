// pgshift-torture's command line: a handful of flags, each followed by its value.
#include "tests/torture/options.hpp"

#include <charconv>

namespace pgshift::torture {
namespace {

template<class T>
bool parse_number(const std::string& text, T& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && !text.empty();
}

} // namespace

std::string usage() {
    return "usage: pgshift-torture [--seed S] [--trials N | --only I] [--fault-rate R]\n"
           "                       [--report FILE] [--work-dir DIR] [--keep]\n"
           "  --seed S        the run's seed (default 1): trial I is the same for the same S\n"
           "  --trials N      trials 0..N-1 (default 30)\n"
           "  --only I        trial I alone, to reproduce a failure\n"
           "  --fault-rate R  0..1: each Heroku fault kind joins a trial with probability R,\n"
           "                  a failed transfer with R/3 (default 0.5)\n"
           "  --report FILE   write the output to FILE too\n"
           "  --work-dir DIR  where trials run (default: the temporary directory)\n"
           "  --keep          keep passed trials' directories too (failed ones are kept)\n";
}

expected<options, parse_error> parse_options(const std::vector<std::string>& args) {
    options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        if (flag == "--help" || flag == "-h") {
            return parse_error{"", true};
        }
        if (flag == "--keep") {
            o.keep = true;
            continue;
        }
        if (i + 1 >= args.size()) {
            return parse_error{flag + " needs a value (or is unknown)"};
        }
        const std::string& value = args[++i];
        bool good = true;
        if (flag == "--seed") {
            good = parse_number(value, o.seed);
        } else if (flag == "--trials") {
            good = parse_number(value, o.trials) && o.trials > 0;
        } else if (flag == "--only") {
            int index = -1;
            good = parse_number(value, index) && index >= 0;
            o.only = index;
        } else if (flag == "--fault-rate") {
            good = parse_number(value, o.fault_rate) && o.fault_rate >= 0 && o.fault_rate <= 1;
        } else if (flag == "--report") {
            o.report = value;
        } else if (flag == "--work-dir") {
            o.work_dir = value;
        } else {
            return parse_error{"unknown option " + flag};
        }
        if (!good || value.empty()) {
            return parse_error{"bad value for " + flag + ": \"" + value + "\""};
        }
    }
    return o;
}

} // namespace pgshift::torture
