// Reading the API token file.
#include "cli/token_file.hpp"

#include "cli/errors.hpp"

#include <cctype>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pgshift::cli {
namespace {

// The token file's text: a regular file of at most 64 KiB. A FIFO is opened non-blocking
// and refused (it would hang the command), /dev/zero is never read.
std::string read_token_file(const std::string& path) {
    // A bare name may be a token pasted where its file belongs: never echo it.
    const std::string shown = path.find('/') != std::string::npos
                                  ? "the token file " + path
                                  : "the token file given (a bare name is not shown)";
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        throw usage_error("cannot read " + shown);
    }
    struct stat st {};
    constexpr off_t limit = 64 * 1024;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > limit) {
        ::close(fd);
        throw usage_error(shown + " is not a regular file of at most 64 KiB");
    }
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    const auto n = ::read(fd, text.data(), text.size());
    ::close(fd);
    if (n < 0) {
        throw usage_error("cannot read " + shown);
    }
    text.resize(static_cast<std::size_t>(n));
    return text;
}

} // namespace

std::optional<std::string> read_token(const std::string& path) {
    if (path.empty()) {
        return std::nullopt;
    }
    // The first line, as pgshiftd reads its token file.
    const std::string text = read_token_file(path);
    std::string token = text.substr(0, text.find('\n'));
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())) != 0) {
        token.pop_back();
    }
    if (token.empty()) {
        throw usage_error("the token file " + path + " holds no token on its first line");
    }
    for (unsigned char c : token) {
        if (c < 0x21 || c > 0x7e) {
            throw usage_error("the token in " + path + " holds spaces or control characters");
        }
    }
    return token;
}

} // namespace pgshift::cli
