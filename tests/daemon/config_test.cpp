// pgshiftd's configuration: precedence, one-line errors naming setting and source, tokens.
#include "common/version.hpp"
#include "daemon/config.hpp"
#include "tests/support/tls_cert.hpp"
#include "tests/unit/temp_dir.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using namespace pgshift;
using daemon::config;
using daemon::load_config;

namespace {

constexpr const char* secret = "hrku-SECRET-0123456789";

class config_test : public ::testing::Test {
protected:
    std::map<std::string, std::string> env{{"HEROKU_API_KEY", secret}};
    pgshift::testing::temp_dir dir;

    daemon::env_lookup lookup() const {
        return [this](const char* name) -> const char* {
            auto it = env.find(name);
            return it == env.end() ? nullptr : it->second.c_str();
        };
    }
    result<config> load(std::vector<std::string> args) { return load_config(args, lookup()); }
    // load() with a state directory given, so only the setting under test can fail.
    result<config> load_ok(std::vector<std::string> args) {
        args.insert(args.begin(), {"--state-dir", (dir / "state").string()});
        return load(std::move(args));
    }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    }
    std::string error_of(const std::vector<std::string>& args) {
        auto c = load_ok(args);
        EXPECT_FALSE(c.ok());
        return c ? std::string() : c.err().message;
    }
};

void expect_one_line(const std::string& message) {
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.find(secret), std::string::npos) << message;
}

TEST_F(config_test, defaults) {
    auto c = load_ok({});
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->listen.to_string(), "127.0.0.1:7432");
    EXPECT_TRUE(c->listen.loopback());
    EXPECT_EQ(c->level, daemon::log_level::info);
    EXPECT_FALSE(c->heroku_requests_at_debug);
    EXPECT_EQ(c->heroku.platform_base, "https://api.heroku.com");
    EXPECT_EQ(c->heroku.rate.capacity, 4500);
    EXPECT_EQ(c->heroku.rate.refill_per_minute, 75);
    EXPECT_EQ(c->drain_timeout, std::chrono::seconds(20));
    EXPECT_FALSE(c->exit_when_idle);
    EXPECT_FALSE(c->check_only);
    EXPECT_EQ(c->heroku_token.origin, "$HEROKU_API_KEY");
    EXPECT_EQ(c->origin("api.listen"), "default");
    EXPECT_EQ(c->origin("state_dir"), "--state-dir");
}

TEST_F(config_test, file_then_environment_then_flags) {
    auto file = write("a.toml", "[engine]\npoll_ms = 200\nprogress_ms = 400\nstall_ms = 500\n"
                                "[api]\nlisten = \"127.0.0.2:1\"\n"
                                "[schedule]\nmax_downtime_concurrency = 3\nprovision_ahead = 5\n");
    env["PGSHIFT_PROGRESS_MS"] = "401";
    env["PGSHIFT_STALL_MS"] = "501";
    env["PGSHIFT_PROVISION_AHEAD"] = "6";
    auto c = load_ok({"--config", file, "--stall-ms", "502"});
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->engine.poll_interval.count(), 200);
    EXPECT_EQ(c->engine.poll_min.count(), 200) << "a faster poll lowers the floor";
    EXPECT_EQ(c->engine.schedule.max_downtime_concurrency, 3);
    EXPECT_EQ(c->engine.schedule.provision_ahead, 6);
    EXPECT_EQ(c->engine.progress_every.count(), 401);
    EXPECT_EQ(c->engine.stall_after.count(), 502);
    EXPECT_EQ(c->origin("engine.poll_ms"), file + ":2");
    EXPECT_EQ(c->origin("engine.progress_ms"), "$PGSHIFT_PROGRESS_MS");
    EXPECT_EQ(c->origin("engine.stall_ms"), "--stall-ms");
    EXPECT_EQ(c->listen.to_string(), "127.0.0.2:1");
}

TEST_F(config_test, every_setting_reads_from_each_source) {
    auto file = write("all.toml", R"(state_dir = "/x/file"
drain_timeout = 7
exit_when_idle = true
[api]
listen = "unix:/run/pgshift/api.sock"
token_file = "/x/api-token"
header_timeout = 8
[log]
level = "debug"
heroku_requests = "debug"
[heroku]
platform_url = "http://127.0.0.1:1"
data_url = "http://127.0.0.1:2/data"
ca_file = "/x/ca.pem"
token_file = "/x/heroku-token"
rate_capacity = 100
rate_refill_per_minute = 1.5
[engine]
poll_ms = 10
progress_ms = 20
backoff_ms = 30
stall_ms = 40
)");
    env.erase("HEROKU_API_KEY");
    auto c = load({"--config", file});
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->state_dir, "/x/file");
    EXPECT_EQ(c->drain_timeout.count(), 7);
    EXPECT_TRUE(c->exit_when_idle);
    EXPECT_TRUE(c->listen.unix_socket);
    EXPECT_EQ(c->listen.path, "/run/pgshift/api.sock");
    EXPECT_EQ(c->api_token_file, std::filesystem::path("/x/api-token"));
    EXPECT_EQ(c->level, daemon::log_level::debug);
    EXPECT_TRUE(c->heroku_requests_at_debug);
    EXPECT_EQ(c->heroku.platform_base, "http://127.0.0.1:1");
    EXPECT_EQ(c->heroku.data_base, "http://127.0.0.1:2/data");
    EXPECT_EQ(c->heroku.ca_file, "/x/ca.pem");
    EXPECT_EQ(c->heroku_token.file, std::filesystem::path("/x/heroku-token"));
    EXPECT_EQ(c->heroku_token.origin, file + ":15");
    EXPECT_EQ(c->api_header_timeout.count(), 8);
    EXPECT_EQ(c->heroku.rate.capacity, 100);
    EXPECT_EQ(c->heroku.rate.refill_per_minute, 1.5);
    EXPECT_EQ(c->engine.poll_interval.count(), 10);
    EXPECT_EQ(c->engine.progress_every.count(), 20);
    EXPECT_EQ(c->engine.retry.first_backoff.count(), 30);
    EXPECT_EQ(c->engine.stall_after.count(), 40);

    std::map<std::string, std::string> by_env{{"PGSHIFT_STATE_DIR", "/e"},
                                              {"PGSHIFT_DRAIN_TIMEOUT", "9"},
                                              {"PGSHIFT_EXIT_WHEN_IDLE", "yes"},
                                              {"PGSHIFT_API_LISTEN", "[::1]:80"},
                                              {"PGSHIFT_API_TOKEN_FILE", "/e/api"},
                                              {"PGSHIFT_LOG_LEVEL", "warning"},
                                              {"PGSHIFT_PLATFORM_URL", "http://e"},
                                              {"PGSHIFT_DATA_URL", "https://e"},
                                              {"PGSHIFT_CA_FILE", "/e/ca"},
                                              {"PGSHIFT_RATE_CAPACITY", "10"},
                                              {"PGSHIFT_RATE_REFILL_PER_MINUTE", "2"},
                                              {"PGSHIFT_POLL_MS", "11"},
                                              {"PGSHIFT_LOG_HEROKU_REQUESTS", "info"},
                                              {"PGSHIFT_API_HEADER_TIMEOUT", "6"}};
    env.insert(by_env.begin(), by_env.end());
    env["HEROKU_API_KEY"] = secret;
    c = load({"--config", file});
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->state_dir, "/e");
    EXPECT_EQ(c->drain_timeout.count(), 9);
    EXPECT_EQ(c->listen.to_string(), "[::1]:80");
    EXPECT_EQ(c->level, daemon::log_level::warning);
    EXPECT_FALSE(c->heroku_requests_at_debug);
    EXPECT_EQ(c->heroku.ca_file, "/e/ca");
    EXPECT_EQ(c->heroku.rate.capacity, 10);
    EXPECT_EQ(c->engine.poll_interval.count(), 11);
    EXPECT_EQ(c->heroku_token.origin, "$HEROKU_API_KEY");
    EXPECT_FALSE(c->heroku_token.file);
    EXPECT_EQ(c->api_header_timeout.count(), 6);

    c = load({"--config", file, "--state-dir", "/f", "--drain-timeout", "3", "--listen",
              "127.0.0.1:9", "--log-level", "error", "--rate-capacity", "5", "--token-file",
              "/f/token", "--log-heroku-requests=debug", "--exit-when-idle", "--api-header-timeout",
              "2"});
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->state_dir, "/f");
    EXPECT_EQ(c->drain_timeout.count(), 3);
    EXPECT_EQ(c->listen.port, 9);
    EXPECT_EQ(c->level, daemon::log_level::error);
    EXPECT_TRUE(c->heroku_requests_at_debug);
    EXPECT_EQ(c->heroku.rate.capacity, 5);
    EXPECT_EQ(c->heroku_token.file, std::filesystem::path("/f/token"));
    EXPECT_EQ(c->heroku_token.origin, "--token-file");
    EXPECT_EQ(c->api_header_timeout.count(), 2);
}

TEST_F(config_test, state_directory_from_systemd_yields_to_pgshift_variable_and_flag) {
    env["STATE_DIRECTORY"] = "/var/lib/pgshift:/var/lib/other";
    auto c = load({});
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->state_dir, "/var/lib/pgshift");
    EXPECT_EQ(c->origin("state_dir"), "$STATE_DIRECTORY");
    env["PGSHIFT_STATE_DIR"] = "/p";
    EXPECT_EQ(load({})->state_dir, "/p");
    EXPECT_EQ(load({"--state-dir", "/f"})->state_dir, "/f");
}

TEST_F(config_test, missing_state_dir_is_one_line) {
    auto c = load({});
    ASSERT_FALSE(c.ok());
    expect_one_line(c.err().message);
    EXPECT_TRUE(c.err().message.starts_with("state_dir (not set): ")) << c.err().message;
}

struct bad_value {
    std::string setting, flag, env, toml_section, toml_key, toml_value, flag_value;
};

TEST_F(config_test, every_bad_value_names_the_setting_and_its_source) {
    const std::vector<bad_value> cases{
        {"drain_timeout", "--drain-timeout", "PGSHIFT_DRAIN_TIMEOUT", "", "drain_timeout", "0",
         "x"},
        {"exit_when_idle", "", "PGSHIFT_EXIT_WHEN_IDLE", "", "exit_when_idle", "\"maybe\"", ""},
        {"api.listen", "--listen", "PGSHIFT_API_LISTEN", "api", "listen", "\"localhost:1\"",
         "127.0.0.1:99999"},
        {"api.header_timeout", "--api-header-timeout", "PGSHIFT_API_HEADER_TIMEOUT", "api",
         "header_timeout", "0", "301"},
        {"log.level", "--log-level", "PGSHIFT_LOG_LEVEL", "log", "level", "\"loud\"", "trace"},
        {"log.heroku_requests", "--log-heroku-requests", "PGSHIFT_LOG_HEROKU_REQUESTS", "log",
         "heroku_requests", "\"warning\"", "notice"},
        {"heroku.platform_url", "--platform-url", "PGSHIFT_PLATFORM_URL", "heroku", "platform_url",
         "\"ftp://x\"", "api.heroku.com"},
        {"heroku.data_url", "--data-url", "PGSHIFT_DATA_URL", "heroku", "data_url", "5",
         "https://"},
        {"heroku.rate_capacity", "--rate-capacity", "PGSHIFT_RATE_CAPACITY", "heroku",
         "rate_capacity", "1.5", "-1"},
        {"heroku.rate_refill_per_minute", "--rate-refill-per-minute",
         "PGSHIFT_RATE_REFILL_PER_MINUTE", "heroku", "rate_refill_per_minute", "0", "inf"},
        {"engine.poll_ms", "--poll-ms", "PGSHIFT_POLL_MS", "engine", "poll_ms", "[1]", "1s"},
        {"engine.progress_ms", "--progress-ms", "PGSHIFT_PROGRESS_MS", "engine", "progress_ms",
         "-5", "0"},
        {"engine.backoff_ms", "--backoff-ms", "PGSHIFT_BACKOFF_MS", "engine", "backoff_ms", "\"\"",
         "1e3"},
        {"engine.stall_ms", "--stall-ms", "PGSHIFT_STALL_MS", "engine", "stall_ms", "1979-05-27",
         "99999999999"},
        {"heroku.ca_file", "", "", "heroku", "ca_file", "\"\"", ""},
        {"state_dir", "", "", "", "state_dir", "false", ""},
    };
    for (const bad_value& b : cases) {
        SCOPED_TRACE(b.setting);
        if (!b.flag.empty()) {
            auto message = error_of({b.flag, b.flag_value});
            expect_one_line(message);
            EXPECT_TRUE(message.starts_with(b.setting + " (" + b.flag + "): ")) << message;
        }
        if (!b.env.empty()) {
            env[b.env] = b.flag.empty() ? "maybe" : b.flag_value;
            auto message = error_of({});
            env.erase(b.env);
            expect_one_line(message);
            EXPECT_TRUE(message.starts_with(b.setting + " ($" + b.env + "): ")) << message;
        }
        std::string text = "# pgshiftd\n";
        if (!b.toml_section.empty()) {
            text += "[" + b.toml_section + "]\n";
        }
        text += b.toml_key + " = " + b.toml_value + "\n";
        auto file = write("bad.toml", text);
        auto message = error_of({"--config", file});
        expect_one_line(message);
        const int line = b.toml_section.empty() ? 2 : 3;
        EXPECT_TRUE(
            message.starts_with(b.setting + " (" + file + ":" + std::to_string(line) + "): "))
            << message;
    }
}

TEST_F(config_test, a_bad_value_fails_even_when_a_later_source_overrides_it) {
    auto file = write("a.toml", "[engine]\npoll_ms = \"fast\"\n");
    auto message = error_of({"--config", file, "--poll-ms", "100"});
    EXPECT_EQ(message, "engine.poll_ms (" + file +
                           ":2): \"fast\" is not a whole number of milliseconds from 1 to "
                           "86400000");
}

TEST_F(config_test, a_downtime_concurrency_of_zero_is_refused_with_its_flag) {
    EXPECT_EQ(
        error_of({"--max-downtime-concurrency", "0"}),
        "schedule.max_downtime_concurrency (--max-downtime-concurrency): \"0\" is not a whole "
        "number from 1 to 10000");
}

TEST_F(config_test, unknown_toml_key_is_named_with_its_line) {
    auto file = write("a.toml", "[api]\nlisten = \"127.0.0.1:1\"\n\nlisen = \"x\"\n");
    auto message = error_of({"--config", file});
    expect_one_line(message);
    EXPECT_TRUE(message.starts_with("api.lisen (" + file + ":4): unknown setting")) << message;
    EXPECT_NE(message.find("api.listen"), std::string::npos) << "lists the known keys";

    file = write("b.toml", "state_dir = \"/x\"\n[databse]\nurl = 1\n");
    message = error_of({"--config", file});
    EXPECT_TRUE(message.starts_with("databse (" + file + ":2): unknown setting")) << message;

    file = write("c.toml", "heroku.token = \"x\"\n");
    message = error_of({"--config", file});
    EXPECT_TRUE(message.starts_with("heroku.token (" + file + ":1): unknown setting")) << message;
    EXPECT_EQ(message.find("\"x\""), std::string::npos) << "the value is not echoed";
}

TEST_F(config_test, toml_syntax_error_names_file_and_line) {
    auto file = write("a.toml", "[api]\nlisten = 127.0.0.1:7432\n");
    auto message = error_of({"--config", file});
    expect_one_line(message);
    EXPECT_TRUE(message.starts_with(file + ":2: not valid TOML: ")) << message;
}

TEST_F(config_test, unreadable_config_file) {
    auto message = error_of({"--config", (dir / "absent.toml").string()});
    expect_one_line(message);
    EXPECT_TRUE(
        message.starts_with("cannot read config file " + (dir / "absent.toml").string() + ": "))
        << message;
    env["PGSHIFT_CONFIG"] = (dir / "env.toml").string();
    message = error_of({});
    EXPECT_NE(message.find("cannot read config file " + (dir / "env.toml").string()),
              std::string::npos)
        << message;
}

// A directory once read as an empty file ("configuration ok"), a FIFO hung start-up and
// /dev/zero filled memory: each is refused before it is read, in one line naming the file.
TEST_F(config_test, config_file_must_be_a_regular_file_of_sane_size) {
    const std::string folder = dir.path().string();
    auto message = error_of({"--config", folder});
    expect_one_line(message);
    EXPECT_EQ(message, "config file " + folder + " is a directory, not a regular file");
    const std::string fifo = (dir / "fifo.toml").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(error_of({"--config", fifo}),
              "config file " + fifo + " is a FIFO, not a regular file");
    EXPECT_EQ(error_of({"--config", "/dev/zero"}),
              "config file /dev/zero is a device, not a regular file");
    const auto big = write("big.toml", "# " + std::string(1024 * 1024, 'x') + "\n");
    EXPECT_EQ(error_of({"--config", big}), "config file " + big + " is larger than 1 MiB");
    env["PGSHIFT_CONFIG"] = folder;
    EXPECT_EQ(error_of({}), "config file " + folder + " is a directory, not a regular file");
}

TEST_F(config_test, non_loopback_listen_needs_an_api_token) {
    for (const char* address : {"0.0.0.0:7432", "10.1.2.3:80", "[::]:7432", "[2001:db8::1]:1"}) {
        SCOPED_TRACE(address);
        auto message = error_of({"--listen", address});
        expect_one_line(message);
        EXPECT_TRUE(message.starts_with("api.listen (--listen): ")) << message;
        EXPECT_NE(message.find("api.token_file"), std::string::npos) << message;
        EXPECT_TRUE(load_ok({"--listen", address, "--api-token-file", "/t"}).ok());
    }
    env["PGSHIFT_API_LISTEN"] = "0.0.0.0:1";
    EXPECT_TRUE(error_of({}).starts_with("api.listen ($PGSHIFT_API_LISTEN): "));
    for (const char* address :
         {"127.0.0.1:1", "127.9.9.9:1", "[::1]:1", "[::ffff:127.0.0.1]:1", "unix:/run/x.sock"}) {
        SCOPED_TRACE(address);
        EXPECT_TRUE(load_ok({"--listen", address}).ok());
    }
}

TEST_F(config_test, listen_address_spellings) {
    using daemon::parse_listen_address;
    EXPECT_EQ(parse_listen_address("[::1]:7432")->host, "::1");
    EXPECT_EQ(parse_listen_address("[::1]:7432")->to_string(), "[::1]:7432");
    EXPECT_EQ(parse_listen_address("unix:/a/b")->to_string(), "unix:/a/b");
    EXPECT_EQ(parse_listen_address("127.0.0.1:0")->port, 0); // ephemeral
    for (const char* bad :
         {"", "7432", ":7432", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x",
          "::1:7432", "localhost:7432", "unix:", "unix:relative", "[::1]7432"}) {
        EXPECT_FALSE(parse_listen_address(bad)) << bad;
    }
}

TEST_F(config_test, heroku_token_sources_in_order) {
    auto file = write("a.toml", "[heroku]\ntoken_file = \"/from/file\"\n");
    env.erase("HEROKU_API_KEY");
    env["CREDENTIALS_DIRECTORY"] = "/run/credentials/pgshiftd.service";
    auto c = load_ok({});
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->heroku_token.file,
              std::filesystem::path("/run/credentials/pgshiftd.service/heroku-token"));
    EXPECT_EQ(c->heroku_token.origin, "$CREDENTIALS_DIRECTORY/heroku-token");

    c = load_ok({"--config", file});
    EXPECT_EQ(c->heroku_token.file, std::filesystem::path("/from/file"));
    EXPECT_EQ(c->heroku_token.origin, file + ":2");

    env["HEROKU_API_KEY"] = secret;
    c = load_ok({"--config", file});
    EXPECT_FALSE(c->heroku_token.file);
    EXPECT_EQ(c->heroku_token.value.reveal(), secret);
    EXPECT_EQ(c->heroku_token.origin, "$HEROKU_API_KEY");

    c = load_ok({"--config", file, "--token-file", "/from/flag"});
    EXPECT_EQ(c->heroku_token.file, std::filesystem::path("/from/flag"));
    EXPECT_TRUE(c->heroku_token.value.empty());
    EXPECT_EQ(c->heroku_token.origin, "--token-file");

    env["HEROKU_API_KEY"] = ""; // set but empty: as unset
    env.erase("CREDENTIALS_DIRECTORY");
    auto message = error_of({});
    expect_one_line(message);
    EXPECT_TRUE(message.starts_with("heroku.token_file (not set): no Heroku API token")) << message;
}

TEST_F(config_test, flags) {
    auto c = load_ok({"--check-config"});
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_TRUE(c->check_only);
    EXPECT_FALSE(c->help);

    c = load({"--help", "--bogus"});
    ASSERT_TRUE(c.ok()) << c.err().message;
    ASSERT_TRUE(c->help);
    for (const char* flag :
         {"--config", "--check-config", "--state-dir", "--listen", "--api-token-file",
          "--log-level", "--token-file", "--drain-timeout", "PGSHIFT_RATE_CAPACITY",
          "heroku.rate_refill_per_minute", "HEROKU_API_KEY", "CREDENTIALS_DIRECTORY"}) {
        EXPECT_NE(c->help->find(flag), std::string::npos) << flag;
    }
    EXPECT_EQ(c->help->find("--start"), std::string::npos);
    // The order heroku_token_sources_in_order proves, as the help states it (lines rewrapped).
    std::string help = *c->help;
    std::replace(help.begin(), help.end(), '\n', ' ');
    EXPECT_NE(help.find("the first one given of: --token-file, $HEROKU_API_KEY, "
                        "heroku.token_file in the TOML file, $CREDENTIALS_DIRECTORY/heroku-token"),
              std::string::npos)
        << help;

    c = load({"--version"});
    ASSERT_TRUE(c.ok()) << c.err().message;
    ASSERT_TRUE(c->help);
    EXPECT_TRUE(c->help->starts_with("pgshiftd " + std::string(project_version()) + " (git "))
        << *c->help;
    EXPECT_NE(git_description(), "");

    auto message = error_of({"--start", "sushi:heroku-postgresql:standard-0"});
    expect_one_line(message);
    EXPECT_EQ(message, "command line (--start): unknown flag; pgshiftd --help lists them");
    message = error_of({"--poll-ms"});
    expect_one_line(message);
    EXPECT_NE(message.find("--poll-ms"), std::string::npos) << message;
}

TEST_F(config_test, no_error_ever_shows_a_token) {
    // Pasted where it does not belong: as an argument, after an unknown flag, as a value.
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{secret},
                                               {"--token", secret},
                                               {std::string("--token=") + secret},
                                               {"--listen", "0.0.0.0:1"},
                                               {"--poll-ms", "x"}}) {
        auto c = load_ok(args);
        ASSERT_FALSE(c.ok());
        expect_one_line(c.err().message);
    }
}

// check_config: the file-reading half of --check-config.
class check_test : public config_test {
protected:
    result<daemon::checked_config> check(std::vector<std::string> args) {
        auto c = load_ok(std::move(args));
        EXPECT_TRUE(c.ok()) << c.err().message;
        return daemon::check_config(*c);
    }
    std::string check_error(std::vector<std::string> args) {
        auto r = check(std::move(args));
        EXPECT_FALSE(r.ok());
        if (r) {
            return {};
        }
        expect_one_line(r.err().message);
        return r.err().message;
    }
};

TEST_F(check_test, good_configuration_gives_a_one_line_summary_without_tokens) {
    auto token = write("token", std::string(secret) + "\n");
    auto api = write("api", "api-secret-token\r\n");
    auto ca = pgshift::testing::make_self_signed_cert(dir.path(), "ca").cert_file;
    auto r = check({"--token-file", token, "--api-token-file", api, "--ca-file", ca});
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->heroku_token.reveal(), secret);
    ASSERT_TRUE(r->api_token);
    EXPECT_EQ(r->api_token->reveal(), "api-secret-token");
    EXPECT_TRUE(r->summary.starts_with("configuration ok: ")) << r->summary;
    EXPECT_EQ(r->summary.find('\n'), std::string::npos);
    EXPECT_EQ(r->summary.find(secret), std::string::npos);
    EXPECT_EQ(r->summary.find("api-secret-token"), std::string::npos);
    EXPECT_NE(r->summary.find(token + " (--token-file)"), std::string::npos) << r->summary;
    EXPECT_FALSE(std::filesystem::exists(dir / "state")) << "nothing is created";

    r = check({});
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_NE(r->summary.find("heroku token from $HEROKU_API_KEY"), std::string::npos);
}

TEST_F(check_test, unreadable_or_bad_token_files) {
    auto missing = (dir / "missing").string();
    EXPECT_TRUE(check_error({"--token-file", missing})
                    .starts_with("heroku.token_file (--token-file): cannot read " + missing));
    auto empty = write("empty", "\n");
    EXPECT_TRUE(check_error({"--token-file", empty})
                    .starts_with("heroku.token_file (--token-file): " + empty + " holds no token"));
    auto spaced = write("spaced", std::string("hrku-SECRET 0123456789") + "\n");
    auto message = check_error({"--token-file", spaced});
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
    EXPECT_TRUE(message.starts_with("heroku.token_file (--token-file): ")) << message;

    // A token pasted where its file belongs is never echoed back.
    message = check_error({"--token-file", "HRKU-pasted0123456789"});
    EXPECT_EQ(message.find("pasted0123456789"), std::string::npos) << message;
    EXPECT_TRUE(message.starts_with("heroku.token_file (--token-file): cannot read")) << message;

    env["PGSHIFT_API_TOKEN_FILE"] = missing;
    EXPECT_TRUE(check_error({}).starts_with("api.token_file ($PGSHIFT_API_TOKEN_FILE): cannot "
                                            "read"));
    env.erase("PGSHIFT_API_TOKEN_FILE");

    env["HEROKU_API_KEY"] = std::string(secret) + "\n";
    message = check_error({});
    EXPECT_TRUE(message.starts_with("heroku.token_file ($HEROKU_API_KEY): ")) << message;

    env.erase("HEROKU_API_KEY");
    env["CREDENTIALS_DIRECTORY"] = dir.path().string();
    EXPECT_TRUE(check_error({}).starts_with(
        "heroku.token_file ($CREDENTIALS_DIRECTORY/heroku-token): cannot read"));
    write("heroku-token", secret);
    EXPECT_TRUE(check({}).ok());
}

TEST_F(check_test, unreadable_ca_file) {
    auto message = check_error({"--ca-file", (dir / "nope.pem").string()});
    EXPECT_TRUE(message.starts_with("heroku.ca_file (--ca-file): cannot read ")) << message;
}

TEST_F(check_test, token_and_ca_files_must_be_regular_files_of_sane_size) {
    const std::string folder = dir.path().string();
    const std::string fifo = (dir / "fifo").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(check_error({"--token-file", fifo}),
              "heroku.token_file (--token-file): " + fifo + " is a FIFO, not a regular file");
    EXPECT_EQ(check_error({"--token-file", "/dev/zero"}),
              "heroku.token_file (--token-file): /dev/zero is a device, not a regular file");
    const auto big = write("big-token", std::string(64 * 1024 + 1, 'x'));
    EXPECT_EQ(check_error({"--token-file", big}),
              "heroku.token_file (--token-file): " + big + " is larger than 64 KiB");
    env["PGSHIFT_API_TOKEN_FILE"] = folder;
    EXPECT_EQ(check_error({}), "api.token_file ($PGSHIFT_API_TOKEN_FILE): " + folder +
                                   " is a directory, not a regular file");
    env.erase("PGSHIFT_API_TOKEN_FILE");
    EXPECT_EQ(check_error({"--ca-file", fifo}),
              "heroku.ca_file (--ca-file): " + fifo + " is a FIFO, not a regular file");
    EXPECT_EQ(check_error({"--ca-file", "/dev/zero"}),
              "heroku.ca_file (--ca-file): /dev/zero is a device, not a regular file");
    EXPECT_EQ(check_error({"--ca-file", folder}),
              "heroku.ca_file (--ca-file): " + folder + " is a directory, not a regular file");
}

TEST_F(check_test, ca_file_must_hold_pem_certificates_that_parse) {
    for (const std::string& text : {std::string(), std::string("not a certificate\n")}) {
        const auto ca = write("ca.pem", text);
        EXPECT_EQ(check_error({"--ca-file", ca}),
                  "heroku.ca_file (--ca-file): " + ca +
                      " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    const auto broken = write("broken.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                                            "-----END CERTIFICATE-----\n");
    env["PGSHIFT_CA_FILE"] = broken;
    EXPECT_EQ(check_error({}), "heroku.ca_file ($PGSHIFT_CA_FILE): " + broken +
                                   " holds a PEM certificate that does not parse (0 read "
                                   "before it)");
    env.erase("PGSHIFT_CA_FILE");
    const auto good = pgshift::testing::make_self_signed_cert(dir.path(), "a").cert_file;
    const auto other = pgshift::testing::make_self_signed_cert(dir.path(), "b").cert_file;
    std::ofstream(dir / "bundle.pem")
        << std::ifstream(good).rdbuf() << std::ifstream(other).rdbuf();
    EXPECT_TRUE(check({"--ca-file", good}).ok());
    EXPECT_TRUE(check({"--ca-file", (dir / "bundle.pem").string()}).ok());
}

TEST_F(check_test, state_directory_must_be_writable_or_creatable) {
    EXPECT_TRUE(check({"--state-dir", (dir / "a" / "b" / "c").string()}).ok());
    auto file = write("plain", "x");
    auto message = check_error({"--state-dir", file + "/sub"});
    EXPECT_TRUE(message.starts_with("state_dir (--state-dir): ")) << message;
    EXPECT_NE(message.find("is not a directory"), std::string::npos) << message;
    if (::geteuid() != 0) { // root may write anywhere
        std::filesystem::create_directory(dir / "ro");
        std::filesystem::permissions(dir / "ro", std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_exec);
        message = check_error({"--state-dir", (dir / "ro" / "state").string()});
        EXPECT_NE(message.find("cannot be created"), std::string::npos) << message;
    }
}

TEST_F(check_test, the_packaged_example_passes) {
    auto c = load({"--config", PGSHIFT_SOURCE_DIR "/packaging/pgshiftd.toml", "--state-dir",
                   (dir / "state").string()});
    ASSERT_TRUE(c.ok()) << c.err().message;
    auto r = daemon::check_config(*c);
    ASSERT_TRUE(r.ok()) << r.err().message;
}

} // namespace
