// Unit tests of the control API's pure pieces: field rules, queries, auth.
#include "api/control_auth.hpp"
#include "api/control_validation.hpp"
#include "common/rfc3339.hpp"

#include <gtest/gtest.h>

namespace pgshift::api {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view minimal = R"({"app":"sushi","plan":"heroku-postgresql:standard-0"})";

// The body with one more field, given as raw JSON.
std::string with(std::string_view field, std::string_view raw_value) {
    std::string body(minimal);
    body.pop_back();
    return body + ",\"" + std::string(field) + "\":" + std::string(raw_value) + "}";
}

// Expects a 422 naming `field`.
void expect_field_error(const std::string& body, std::string_view field) {
    auto r = parse_start_body(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.err().status, 422) << body;
    EXPECT_EQ(r.err().id, "invalid_params") << body;
    EXPECT_EQ(r.err().field, std::string(field)) << body;
    EXPECT_FALSE(r.err().message.empty());
}

TEST(control_validation, minimal_body_gets_defaults) {
    auto r = parse_start_body(minimal);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->app, "sushi");
    EXPECT_EQ(r->plan, "heroku-postgresql:standard-0");
    EXPECT_FALSE(r->pg_version);
    EXPECT_TRUE(r->verify);
    EXPECT_FALSE(r->allow_restore_warnings);
    EXPECT_FALSE(r->keep_target_on_rollback);
    EXPECT_FALSE(r->downtime_at);
    EXPECT_FALSE(r->remove_source_after);
    EXPECT_FALSE(r->webhook_url);
}

TEST(control_validation, every_optional_field_is_read) {
    auto r = parse_start_body(
        R"({"app":"sushi","plan":"heroku-postgresql:standard-0","version":16,
            "downtime_at":"2026-11-26T02:00:00+01:00","verify":false,
            "allow_restore_warnings":true,"remove_source_after":3600,
            "webhook_url":null,"keep_target_on_rollback":true})");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->pg_version, "16");
    EXPECT_EQ(format_rfc3339(*r->downtime_at), "2026-11-26T01:00:00.000Z");
    EXPECT_FALSE(r->verify);
    EXPECT_TRUE(r->allow_restore_warnings);
    EXPECT_EQ(r->remove_source_after, 3600s);
    EXPECT_FALSE(r->webhook_url) << "null: as absent";
    EXPECT_TRUE(r->keep_target_on_rollback);
}

TEST(control_validation, version_as_string_or_integer) {
    EXPECT_EQ(parse_start_body(with("version", "\"15\""))->pg_version, "15");
    EXPECT_EQ(parse_start_body(with("version", "17"))->pg_version, "17");
    EXPECT_FALSE(parse_start_body(with("version", "null"))->pg_version);
    for (auto bad : {"\"16.1\"", "\"\"", "-16", "16.0", "\"abc\"", "\"12345\"", "true", "[16]"}) {
        expect_field_error(with("version", bad), "version");
    }
}

TEST(control_validation, app_name_rule) {
    for (auto good : {"ab", "sushi", "my-app-2", "a234567890123456789012345678901"}) {
        EXPECT_EQ(valid_app_name(good), std::string_view(good).size() <= 30) << good;
    }
    for (auto bad : {"a", "Sushi", "1app", "-app", "app_x", "app x", "", "ап"}) {
        EXPECT_FALSE(valid_app_name(bad)) << bad;
    }
    expect_field_error(R"({"app":"Sushi","plan":"heroku-postgresql:standard-0"})", "app");
    expect_field_error(R"({"app":7,"plan":"heroku-postgresql:standard-0"})", "app");
    expect_field_error(R"({"app":null,"plan":"heroku-postgresql:standard-0"})", "app");
    expect_field_error(R"({"plan":"heroku-postgresql:standard-0"})", "app");
}

TEST(control_validation, plan_rule) {
    EXPECT_TRUE(valid_plan("heroku-postgresql:standard-0"));
    EXPECT_TRUE(valid_plan("heroku-postgresql:essential-0"));
    for (auto bad : {"standard-0", "heroku-postgresql:", "heroku-postgresql:Standard-0",
                     "heroku-redis:mini", "heroku-postgresql:standard 0", "HEROKU-POSTGRESQL:x"}) {
        EXPECT_FALSE(valid_plan(bad)) << bad;
    }
    expect_field_error(R"({"app":"sushi","plan":"standard-0"})", "plan");
    expect_field_error(R"({"app":"sushi","plan":["x"]})", "plan");
    expect_field_error(R"({"app":"sushi"})", "plan");
}

TEST(control_validation, downtime_at_must_be_rfc3339) {
    EXPECT_TRUE(parse_start_body(with("downtime_at", "\"2026-11-26T02:00:00Z\"")).ok());
    EXPECT_TRUE(parse_start_body(with("downtime_at", "null")).ok());
    for (auto bad : {"\"tomorrow\"", "\"2026-11-26\"", "\"2026-11-26 02:00:00Z\"", "1764122400",
                     "\"2026-02-30T02:00:00Z\""}) {
        expect_field_error(with("downtime_at", bad), "downtime_at");
    }
}

TEST(control_validation, booleans_must_be_booleans) {
    for (auto field : {"verify", "allow_restore_warnings", "keep_target_on_rollback"}) {
        for (auto bad : {"1", "\"true\"", "0", "{}"}) {
            expect_field_error(with(field, bad), field);
        }
        EXPECT_TRUE(parse_start_body(with(field, "true")).ok()) << field;
    }
}

TEST(control_validation, remove_source_after_is_non_negative_integer_seconds) {
    EXPECT_EQ(parse_start_body(with("remove_source_after", "0"))->remove_source_after, 0s);
    for (auto bad : {"-1", "1.5", "\"3600\"", "1e3", "true", "18446744073709551615"}) {
        expect_field_error(with("remove_source_after", bad), "remove_source_after");
    }
}

TEST(control_validation, max_downtime_concurrency_is_an_integer_from_1_to_1000) {
    EXPECT_FALSE(parse_start_body(minimal)->max_downtime_concurrency); // pgshiftd's setting
    EXPECT_FALSE(
        parse_start_body(with("max_downtime_concurrency", "null"))->max_downtime_concurrency);
    EXPECT_EQ(parse_start_body(with("max_downtime_concurrency", "1"))->max_downtime_concurrency, 1);
    EXPECT_EQ(parse_start_body(with("max_downtime_concurrency", "1000"))->max_downtime_concurrency,
              1000);
    for (auto bad : {"0", "-1", "1001", "2.5", "\"3\"", "true", "[]", "18446744073709551615",
                     "-9223372036854775808"}) {
        expect_field_error(with("max_downtime_concurrency", bad), "max_downtime_concurrency");
    }
    auto r = parse_start_body(with("max_downtime_concurrency", "0"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("1 to 1000"), std::string::npos) << r.err().message;
}

TEST(control_validation, webhook_url_must_be_http_or_https) {
    for (auto good : {"http://x", "https://hooks.example:8443/p?q=1#f", "HTTPS://u:p@h/x"}) {
        EXPECT_TRUE(valid_webhook_url(good)) << good;
    }
    for (auto bad : {"ftp://x", "https://", "https:///path", "hooks.example", "https://a b",
                     "javascript:alert(1)", "https://:80/"}) {
        EXPECT_FALSE(valid_webhook_url(bad)) << bad;
    }
    expect_field_error(with("webhook_url", "\"ftp://x\""), "webhook_url");
    expect_field_error(with("webhook_url", "5"), "webhook_url");
    EXPECT_FALSE(valid_webhook_url("https://x/" + std::string(3000, 'a')));
}

TEST(control_validation, a_webhook_url_is_refused_while_nothing_would_call_it) {
    auto r = parse_start_body(with("webhook_url", "\"https://hooks.example/x\""));
    ASSERT_FALSE(r.ok()) << "accepted and stored, it would never be called";
    EXPECT_EQ(r.err().status, 422);
    EXPECT_EQ(r.err().field, "webhook_url");
    EXPECT_NE(r.err().message.find("does not deliver notifications yet"), std::string::npos)
        << r.err().message;
}

TEST(control_validation, extensions_are_an_array_of_names_sorted_and_lower_cased) {
    auto r = parse_start_body(with("extensions", R"(["pg_trgm","HStore","uuid-ossp","hstore"])"));
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->extensions, (std::vector<std::string>{"hstore", "pg_trgm", "uuid-ossp"}));
    EXPECT_TRUE(parse_start_body(with("extensions", "[]"))->extensions.empty());
    EXPECT_TRUE(parse_start_body(with("extensions", "null"))->extensions.empty());
    for (auto bad : {R"("hstore")", R"(["a,b"])", R"([""])", R"([5])", R"(["drop table x"])",
                     R"(["-x"])", "{}", "true"}) {
        expect_field_error(with("extensions", bad), "extensions");
    }
    std::string many = "[";
    for (int i = 0; i < 65; ++i) {
        many += (i ? ",\"e" : "\"e") + std::to_string(i) + "\"";
    }
    expect_field_error(with("extensions", many + "]"), "extensions");
}

TEST(control_validation, unknown_field_is_named) {
    expect_field_error(with("colour", "\"blue\""), "colour");
    expect_field_error(with("token", "null"), "token");
}

TEST(control_validation, not_json_or_not_object_is_400) {
    for (auto bad : {"", "{", "not json", "[]", "\"x\"", "42", "null", "{\"app\":}"}) {
        auto r = parse_start_body(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.err().status, 400) << bad;
        EXPECT_EQ(r.err().id, "bad_request") << bad;
        EXPECT_FALSE(r.err().field) << bad;
    }
}

TEST(control_validation, idempotency_key_rule) {
    EXPECT_TRUE(valid_idempotency_key("k"));
    EXPECT_TRUE(valid_idempotency_key(std::string(255, 'k')));
    EXPECT_FALSE(valid_idempotency_key(""));
    EXPECT_FALSE(valid_idempotency_key(std::string(256, 'k')));
    EXPECT_FALSE(valid_idempotency_key("tab\there"));
    EXPECT_FALSE(valid_idempotency_key("caf\xc3\xa9"));
}

TEST(control_validation, list_query) {
    auto f = parse_list_query({{"state", "restoring"},
                               {"app", "sushi"},
                               {"limit", "7"},
                               {"after", "u-1"},
                               {"ignored", "x"}});
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->in_state, state::restoring);
    EXPECT_EQ(f->app, "sushi");
    EXPECT_EQ(f->limit, 7u);
    EXPECT_EQ(f->after, "u-1");
    EXPECT_EQ(parse_list_query({})->limit, 50u);
    for (const query_params& bad : std::vector<query_params>{{{"state", "running"}},
                                                             {{"limit", "0"}},
                                                             {{"limit", "501"}},
                                                             {{"limit", "-1"}},
                                                             {{"limit", "ten"}},
                                                             {{"limit", ""}}}) {
        auto r = parse_list_query(bad);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.err().status, 400);
        EXPECT_EQ(r.err().id, "bad_request");
    }
}

TEST(control_validation, events_query) {
    auto q = parse_events_query({{"after", "3"}, {"follow", "1"}}, std::nullopt, std::nullopt);
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->after, 3);
    EXPECT_TRUE(q->follow);
    // Last-Event-ID wins over after: a reconnecting EventSource resends the first URL.
    q = parse_events_query({{"after", "3"}}, "9", std::nullopt);
    EXPECT_EQ(q->after, 9);
    EXPECT_FALSE(q->follow);
    q = parse_events_query({}, std::nullopt, "text/event-stream");
    EXPECT_TRUE(q->follow);
    EXPECT_FALSE(parse_events_query({{"after", "x"}}, std::nullopt, std::nullopt).ok());
    EXPECT_FALSE(parse_events_query({{"follow", "yes"}}, std::nullopt, std::nullopt).ok());
    EXPECT_FALSE(parse_events_query({}, "-1", std::nullopt).ok());
}

TEST(control_validation, commands) {
    EXPECT_EQ(parse_command("pause"), command::pause);
    EXPECT_EQ(parse_command("retry"), command::retry);
    EXPECT_FALSE(parse_command("PAUSE"));
}

TEST(control_validation, json_media_types) {
    EXPECT_TRUE(is_json_media_type("application/json"));
    EXPECT_TRUE(is_json_media_type("Application/JSON; charset=utf-8"));
    EXPECT_TRUE(is_json_media_type("application/merge-patch+json"));
    EXPECT_FALSE(is_json_media_type("text/plain"));
    EXPECT_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
    EXPECT_FALSE(is_json_media_type(""));
}

TEST(control_auth, constant_time_equals) {
    EXPECT_TRUE(constant_time_equals("secret", "secret"));
    EXPECT_FALSE(constant_time_equals("secreT", "secret"));
    EXPECT_FALSE(constant_time_equals("secret-longer", "secret"));
    EXPECT_FALSE(constant_time_equals("sec", "secret"));
    EXPECT_FALSE(constant_time_equals("", "secret"));
}

TEST(control_auth, bearer_matches) {
    http::request req;
    EXPECT_FALSE(bearer_matches(req, "t0ken"));
    req.headers.push_back({"authorization", "bearer t0ken"});
    EXPECT_TRUE(bearer_matches(req, "t0ken"));
    req.headers.back().value = "Basic t0ken";
    EXPECT_FALSE(bearer_matches(req, "t0ken"));
    req.headers.back().value = "Bearer t0ke";
    EXPECT_FALSE(bearer_matches(req, "t0ken"));
    req.headers.back().value = "Bearer ";
    EXPECT_FALSE(bearer_matches(req, ""));
}

} // namespace
} // namespace pgshift::api
