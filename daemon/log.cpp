// pgshiftd's log: spdlog to stderr, one line each with a journald priority prefix ("<6>").
#include "daemon/log.hpp"

#include "statemachine/utf8.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <string>
#include <sys/stat.h>

namespace pgshift::daemon {
namespace {

// spdlog has six levels and no "notice"; journald has eight priorities. pgshift uses six of
// them, so each gets one spdlog level, shifted by one: spdlog's trace carries debug, its
// debug carries info, its info carries notice. Only this file sees spdlog levels.
spdlog::level::level_enum to_spdlog(log_level level) {
    switch (level) {
    case log_level::debug:
        return spdlog::level::trace;
    case log_level::info:
        return spdlog::level::debug;
    case log_level::notice:
        return spdlog::level::info;
    case log_level::warning:
        return spdlog::level::warn;
    case log_level::error:
        return spdlog::level::err;
    case log_level::critical:
        return spdlog::level::critical;
    }
    return spdlog::level::critical;
}

int priority_of(spdlog::level::level_enum level) {
    switch (level) {
    case spdlog::level::trace:
        return 7;
    case spdlog::level::debug:
        return 6;
    case spdlog::level::info:
        return 5;
    case spdlog::level::warn:
        return 4;
    case spdlog::level::err:
        return 3;
    default:
        return 2;
    }
}

void append_hex(std::string& out, const char* prefix, unsigned value, int digits) {
    static constexpr char hex[] = "0123456789abcdef";
    out += prefix;
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
        out += hex[(value >> shift) & 0xfU];
    }
}

void write_stderr(std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
}

// Formats with the sink's pattern, then puts the sd-daemon prefix in front, so journald
// files the line under its priority and strips the prefix.
class journal_prefix_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit journal_prefix_sink(line_logger write)
        : write_(write ? std::move(write) : line_logger(write_stderr)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        std::string line = "<" + std::to_string(priority_of(msg.level)) + ">";
        line.append(formatted.data(), formatted.size());
        write_(line);
    }
    void flush_() override { std::fflush(stderr); }

private:
    line_logger write_;
};

} // namespace

std::optional<log_level> parse_log_level(std::string_view text) {
    static constexpr std::array<log_level, 5> settable{
        log_level::debug, log_level::info, log_level::notice, log_level::warning, log_level::error};
    for (log_level level : settable) {
        if (text == to_string(level)) {
            return level;
        }
    }
    return std::nullopt;
}

std::string_view to_string(log_level level) {
    switch (level) {
    case log_level::debug:
        return "debug";
    case log_level::info:
        return "info";
    case log_level::notice:
        return "notice";
    case log_level::warning:
        return "warning";
    case log_level::error:
        return "error";
    case log_level::critical:
        return "critical";
    }
    return "critical";
}

std::string one_log_line(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = 1;
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            append_hex(out, "\\x", c, 2);
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (n = decode_utf8(text, i).length; n == 0) {
            append_hex(out, "\\x", c, 2); // not UTF-8: journald would keep the line as a blob
            n = 1;
        } else if (c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
            append_hex(out, "\\u", static_cast<unsigned char>(text[i + 1]), 4); // C1 control
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

int journal_priority(log_level level) {
    return priority_of(to_spdlog(level));
}

std::pair<log_level, std::string_view> split_priority(std::string_view line) {
    if (line.size() < 3 || line[0] != '<' || line[1] < '0' || line[1] > '7' || line[2] != '>') {
        return {log_level::info, line};
    }
    static constexpr std::array<log_level, 8> by_priority{
        log_level::critical, log_level::critical, log_level::critical, log_level::error,
        log_level::warning,  log_level::notice,   log_level::info,     log_level::debug};
    return {by_priority[static_cast<std::size_t>(line[1] - '0')], line.substr(3)};
}

bool stderr_is_journal(const char* journal_stream) {
    if (journal_stream == nullptr) {
        return false;
    }
    unsigned long long dev = 0;
    unsigned long long ino = 0;
    if (std::sscanf(journal_stream, "%llu:%llu", &dev, &ino) != 2) {
        return false;
    }
    struct stat st {};
    // A child that inherited $JOURNAL_STREAM but had stderr redirected is not on the journal.
    return ::fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

logger::logger(log_options opts) {
    auto sink = std::make_shared<journal_prefix_sink>(std::move(opts.write));
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        opts.timestamps ? "%Y-%m-%dT%H:%M:%S.%eZ %v" : "%v", spdlog::pattern_time_type::utc));
    // Not registered with spdlog's global registry: pgshift passes loggers explicitly.
    impl_ = std::make_shared<spdlog::logger>("pgshiftd", std::move(sink));
    impl_->set_level(to_spdlog(opts.level));
}

void logger::log(log_level level, std::string_view text) const {
    const auto lvl = to_spdlog(level);
    if (!impl_->should_log(lvl)) {
        return;
    }
    // journald ends a record at a newline, and what followed it could pose as a line of
    // its own with any priority prefix: text from Heroku or a peer stays one escaped line.
    const std::string line = one_log_line(text);
    impl_->log(lvl, spdlog::string_view_t(line.data(), line.size()));
}

bool logger::enabled(log_level level) const {
    return impl_->should_log(to_spdlog(level));
}

void logger::set_level(log_level level) {
    impl_->set_level(to_spdlog(level));
}

line_logger logger::lines(bool info_as_debug) const {
    return [self = *this, info_as_debug](std::string_view line) {
        auto [level, text] = split_priority(line);
        if (info_as_debug && level == log_level::info) {
            level = log_level::debug;
        }
        self.log(level, text);
    };
}

} // namespace pgshift::daemon
