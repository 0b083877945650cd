// pgshiftd's log: journald priority prefixes, the level filter, the "<N>line" adapter.
#include "daemon/log.hpp"

#include <gtest/gtest.h>
#include <regex>
#include <string>
#include <sys/stat.h>

using namespace pgshift::daemon;

namespace {

struct captured {
    std::string text;
    logger make(log_level level, bool timestamps = false) {
        log_options opts;
        opts.level = level;
        opts.timestamps = timestamps;
        opts.write = [this](std::string_view line) {
            text += line;
        };
        return logger(opts);
    }
};

TEST(log_test, split_priority) {
    EXPECT_EQ(split_priority("<7>a"), std::make_pair(log_level::debug, std::string_view("a")));
    EXPECT_EQ(split_priority("<6>a").first, log_level::info);
    EXPECT_EQ(split_priority("<5>a").first, log_level::notice);
    EXPECT_EQ(split_priority("<4>heroku: x").second, "heroku: x");
    EXPECT_EQ(split_priority("<4>a").first, log_level::warning);
    EXPECT_EQ(split_priority("<3>a").first, log_level::error);
    for (const char* crit : {"<2>a", "<1>a", "<0>a"}) {
        EXPECT_EQ(split_priority(crit).first, log_level::critical) << crit;
    }
    for (const char* plain : {"plain", "<8>x", "<a>x", "<6", "", "<>x"}) {
        EXPECT_EQ(split_priority(plain), std::make_pair(log_level::info, std::string_view(plain)));
    }
}

TEST(log_test, levels_parse_and_map_to_priorities) {
    EXPECT_EQ(parse_log_level("notice"), log_level::notice);
    EXPECT_FALSE(parse_log_level("critical"));
    EXPECT_FALSE(parse_log_level("INFO"));
    EXPECT_EQ(journal_priority(log_level::debug), 7);
    EXPECT_EQ(journal_priority(log_level::notice), 5);
    EXPECT_EQ(journal_priority(log_level::critical), 2);
}

TEST(log_test, prefix_and_level_filter) {
    captured out;
    logger log = out.make(log_level::notice);
    log.log(log_level::debug, "d");
    log.log(log_level::info, "i");
    log.log(log_level::notice, "n");
    log.log(log_level::warning, "w");
    log.log(log_level::error, "e");
    log.log(log_level::critical, "c");
    EXPECT_EQ(out.text, "<5>n\n<4>w\n<3>e\n<2>c\n");
    EXPECT_FALSE(log.enabled(log_level::info));
    log.set_level(log_level::debug);
    log.log(log_level::debug, "d");
    EXPECT_TRUE(out.text.ends_with("<7>d\n"));
}

// Text from Heroku (a libpq message, a transfer log) may hold newlines and terminal
// controls: it stays one journald record, and nothing after a newline can forge a line of
// its own with a priority prefix.
TEST(log_test, a_multi_line_text_is_one_escaped_line) {
    captured out;
    out.make(log_level::info).log(log_level::error, "one\ntwo\n");
    EXPECT_EQ(out.text, "<3>one\\ntwo\n");
    out.text.clear();
    out.make(log_level::info).log(log_level::info, "heroku: failed: x\n<0>pgshiftd: forged\r\n");
    EXPECT_EQ(out.text, "<6>heroku: failed: x\\n<0>pgshiftd: forged\n");
}

TEST(log_test, controls_are_escaped_and_utf8_text_is_kept) {
    captured out;
    logger log = out.make(log_level::info);
    log.lines()("<4>heroku: \x1b[2J\x07tab\there\x7f caf\xc3\xa9 \xc2\x9b"
                "1m \xff\xc3");
    EXPECT_EQ(out.text,
              "<4>heroku: \\x1b[2J\\x07tab\\there\\x7f caf\xc3\xa9 \\u009b1m \\xff\\xc3\n");
    EXPECT_EQ(one_log_line("\xe2\x82\xac \xf0\x9f\x98\x80 \xe0\x80\xaf \xed\xa0\x80"),
              "\xe2\x82\xac \xf0\x9f\x98\x80 \\xe0\\x80\\xaf \\xed\\xa0\\x80")
        << "overlong forms and surrogates are not UTF-8";
}

TEST(log_test, timestamps_follow_the_prefix) {
    captured out;
    out.make(log_level::info, true).log(log_level::info, "hello");
    EXPECT_TRUE(std::regex_match(
        out.text, std::regex(R"(<6>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z hello\n)")))
        << out.text;
}

TEST(log_test, line_adapter_parses_filters_and_demotes) {
    captured out;
    logger log = out.make(log_level::info);
    auto lines = log.lines();
    lines("<4>heroku: GET /apps -> 503");
    lines("<7>engine: noise");
    lines("no prefix");
    lines("<2>pgshiftd: boom");
    EXPECT_EQ(out.text, "<4>heroku: GET /apps -> 503\n<6>no prefix\n<2>pgshiftd: boom\n");

    out.text.clear();
    auto requests = log.lines(true);
    requests("<6>heroku: GET /apps -> 200");
    requests("<4>heroku: GET /apps -> 429");
    EXPECT_EQ(out.text, "<4>heroku: GET /apps -> 429\n") << "info requests are debug now";
    log.set_level(log_level::debug);
    out.text.clear();
    requests("<6>heroku: GET /apps -> 200");
    EXPECT_EQ(out.text, "<7>heroku: GET /apps -> 200\n") << "the adapter shares the level";
}

TEST(log_test, journal_stream_must_name_stderr) {
    EXPECT_FALSE(stderr_is_journal(nullptr));
    EXPECT_FALSE(stderr_is_journal("garbage"));
    struct stat st {};
    ASSERT_EQ(::fstat(2, &st), 0);
    auto mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    EXPECT_TRUE(stderr_is_journal(mine.c_str()));
    auto other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
    EXPECT_FALSE(stderr_is_journal(other.c_str()));
}

} // namespace
