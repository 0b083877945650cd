// pgshiftd's log: spdlog to stderr, one line each with a journald priority prefix ("<6>").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace spdlog {
class logger;
}

namespace pgshift::daemon {

// Journald priorities 7 (debug) to 2 (crit). critical is never filtered out.
enum class log_level { debug, info, notice, warning, error, critical };

// "debug", "info", "notice", "warning", "error" (the settable filters); nullopt otherwise.
std::optional<log_level> parse_log_level(std::string_view text);
std::string_view to_string(log_level level);
int journal_priority(log_level level); // debug 7 ... critical 2

// Splits an sd-daemon prefixed line: "<4>x" -> {warning, "x"}; <0>..<2> -> critical; a
// line without a prefix is info, whole.
std::pair<log_level, std::string_view> split_priority(std::string_view line);

// `text` as one log line: trailing newlines dropped; newlines, tabs and carriage returns
// written as \n, \t, \r; other C0 controls, DEL and bytes that are not UTF-8 as \xNN; C1
// controls (U+0080-U+009F) as \u00NN. Valid UTF-8 text is kept.
std::string one_log_line(std::string_view text);

// True when stderr is the journal: $JOURNAL_STREAM ("dev:inode") names stderr's file.
// Timestamps are then redundant (journald stamps every line).
bool stderr_is_journal(const char* journal_stream);

using line_logger = std::function<void(std::string_view line)>;

struct log_options {
    log_level level = log_level::info; // lines below it are dropped
    bool timestamps = true;            // RFC 3339 UTC after the prefix
    line_logger write;                 // gets each finished line with '\n'; unset: stderr
};

// Cheap to copy: copies share one spdlog logger. Thread-safe.
class logger {
public:
    explicit logger(log_options opts = {});

    // Writes one_log_line(text): always exactly one line.
    void log(log_level level, std::string_view text) const;
    bool enabled(log_level level) const;
    void set_level(log_level level);

    // The adapter for code that logs "<N>text" lines (engine, Heroku client): parses the
    // prefix, filters, writes. info_as_debug logs <6> lines at debug, for the Heroku
    // client's one line per request. The function shares this logger's sink and level.
    line_logger lines(bool info_as_debug = false) const;

private:
    std::shared_ptr<spdlog::logger> impl_;
};

} // namespace pgshift::daemon
