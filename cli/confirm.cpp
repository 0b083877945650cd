// start's confirmation: it takes production down, so the operator names the app first, as
// the Heroku CLI asks for destructive commands ("type sushi to confirm", or --confirm sushi).
#include "cli/commands.hpp"
#include "cli/errors.hpp"

#include <istream>
#include <ostream>

namespace pgshift::cli {
namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
        s.pop_back();
    }
    const auto first = s.find_first_not_of(" \t");
    return first == std::string::npos ? std::string{} : s.substr(first);
}

std::string when(const start_args& args) {
    return args.downtime_at ? "at " + *args.downtime_at : std::string("as soon as it is ready");
}

} // namespace

void confirm_start(command_context& ctx, const start_args& args) {
    if (args.confirm) {
        if (*args.confirm != args.app) {
            throw usage_error("--confirm " + *args.confirm + " does not name the app to upgrade (" +
                              args.app + "): nothing started");
        }
        return;
    }
    if (!ctx.in_tty || ctx.in == nullptr) {
        throw usage_error("start takes " + args.app +
                          " down (maintenance on, non-web dynos at 0) and no terminal is here to "
                          "ask: add --confirm " +
                          args.app + " to start it; nothing started");
    }
    ctx.err << "pgshift: this puts " << args.app
            << " in maintenance and scales its non-web dynos to 0 while its database is copied "
            << when(args) << ", then makes " << args.plan << " its DATABASE_URL.\n"
            << "pgshift: type " << args.app << " to confirm (or re-run with --confirm " << args.app
            << "): " << std::flush;
    std::string answer;
    if (!std::getline(*ctx.in, answer)) {
        ctx.err << "\n";
        throw aborted_error("no confirmation given: nothing started");
    }
    if (trimmed(answer) != args.app) {
        throw aborted_error("confirmation did not match " + args.app + ": nothing started");
    }
}

} // namespace pgshift::cli
