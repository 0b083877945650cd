// heroku-emulator's command line: flags in, options or one error line out.
#include "emulator/options.hpp"

#include <charconv>
#include <fstream>

namespace pgshift::emulator {

namespace {

template<class T>
bool parse_number(const std::string& text, T& out, T min, T max) {
    T n{};
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || p != text.data() + text.size() || n < min || n > max) {
        return false;
    }
    out = n;
    return true;
}

bool is_loopback(const std::string& a) {
    return a == "localhost" || a == "::1" || a.rfind("127.", 0) == 0;
}

std::optional<std::string> read_tokens(const std::string& file, std::vector<std::string>& out) {
    std::ifstream in(file);
    if (!in) {
        return "cannot read --token-file " + file;
    }
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
            line.pop_back();
        }
        if (!line.empty() && line.front() != '#') {
            out.push_back(line);
        }
    }
    return std::nullopt;
}

// Applies one flag that takes a value; returns an error message or nullopt.
std::optional<std::string> apply(emulator_options& o, const std::string& flag,
                                 const std::string& v) {
    if (flag == "--port") {
        return parse_number<std::uint16_t>(v, o.port, 0, 65535)
                   ? std::nullopt
                   : std::optional<std::string>("--port wants 0..65535, got " + v);
    }
    if (flag == "--page-size") {
        return parse_number<std::size_t>(v, o.page_size, 1, 1000)
                   ? std::nullopt
                   : std::optional<std::string>("--page-size wants 1..1000, got " + v);
    }
    if (flag == "--address") {
        o.address = v;
        return is_loopback(v) ? std::nullopt
                              : std::optional<std::string>("--address must be loopback, got " + v);
    }
    if (flag == "--token-file") {
        return read_tokens(v, o.tokens);
    }
    if (flag == "--token") {
        o.tokens.push_back(v);
    } else if (flag == "--tls-cert") {
        o.tls_cert = v;
    } else if (flag == "--tls-key") {
        o.tls_key = v;
    } else if (flag == "--postgres") {
        o.postgres = v;
    } else if (flag == "--state-dir") {
        o.state_dir = v;
    } else {
        return "unknown flag " + flag + " (see --help)";
    }
    return std::nullopt;
}

} // namespace

std::variant<emulator_options, std::string> parse_options(const std::vector<std::string>& args) {
    emulator_options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i], value;
        if (flag == "--help" || flag == "-h") {
            o.help = true;
            return o;
        }
        if (flag == "--version") {
            o.version = true;
            return o;
        }
        if (const auto eq = flag.find('='); eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return flag + " needs a value";
        }
        if (auto problem = apply(o, flag, value)) {
            return *problem;
        }
    }
    if (o.tokens.empty()) {
        return std::string("give at least one --token or --token-file");
    }
    if (o.tls_cert.has_value() != o.tls_key.has_value()) {
        return std::string("--tls-cert and --tls-key go together");
    }
    return o;
}

const char* usage() noexcept {
    return "usage: heroku-emulator --token TOKEN [--token-file FILE] [--port N] "
           "[--address 127.0.0.1]\n"
           "                      [--tls-cert PEM --tls-key PEM] [--postgres ADMIN_URL]\n"
           "                      [--state-dir DIR] [--page-size N]\n"
           "       heroku-emulator --help | --version\n"
           "Prints one line \"listening URL\" on stdout once serving; SIGTERM/SIGINT stop it.\n";
}

} // namespace pgshift::emulator
