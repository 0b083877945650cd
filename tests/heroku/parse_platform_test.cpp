// Platform API answer parsers: good bodies, missing fields, wrong types, garbage.
#include "heroku/parse.hpp"

#include <gtest/gtest.h>

namespace pgshift::heroku {
namespace {

// The message must name the field, so an operator can tell what Heroku changed.
template<class T>
void expect_invalid(const outcome<T>& r, const std::string& field) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().id, "invalid_response");
    EXPECT_NE(r.err().message.find(field), std::string::npos) << r.err().message;
}

TEST(parse_app, good_missing_wrong_garbage) {
    const auto r = parse_app(R"({"id":"a1","name":"shop","maintenance":true,"extra":1})");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->id, "a1");
    EXPECT_EQ(r->name, "shop");
    EXPECT_TRUE(r->maintenance);
    expect_invalid(parse_app(R"({"id":"a1","name":"shop"})"), "\"maintenance\" is missing");
    expect_invalid(parse_app(R"({"id":"a1","name":"shop","maintenance":"yes"})"),
                   "\"maintenance\" must be a boolean");
    expect_invalid(parse_app(R"({"id":7,"name":"shop","maintenance":false})"),
                   "\"id\" must be a string");
    expect_invalid(parse_app("<html>502</html>"), "not JSON");
    expect_invalid(parse_app("[]"), "must be an object");
    expect_invalid(parse_app(""), "not JSON");
}

TEST(parse_formation, entries_and_size_fallback) {
    const auto r = parse_formation(R"([
        {"type":"web","quantity":2,"size":"Standard-1X"},
        {"type":"worker","quantity":3,"dyno_size":{"id":"d","name":"Performance-M"}},
        {"type":"release","quantity":0}])");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0].quantity, 2);
    EXPECT_EQ((*r)[1].size, "Performance-M");
    EXPECT_EQ((*r)[2].type, "release");
    EXPECT_EQ((*r)[2].size, "");
    expect_invalid(parse_formation(R"([{"type":"web","quantity":"2"}])"),
                   "\"[0].quantity\" must be an integer");
    expect_invalid(parse_formation(R"([{"type":"web","quantity":1},{"quantity":1}])"),
                   "\"[1].type\" is missing");
    expect_invalid(parse_formation(R"({"type":"web"})"), "must be an array");
}

constexpr const char* addon_json = R"({
    "id":"ad1","name":"postgresql-curved-12345","state":"provisioning",
    "app":{"id":"a1","name":"shop"},"plan":{"id":"p","name":"heroku-postgresql:standard-2"},
    "config_vars":["HEROKU_POSTGRESQL_PINK_URL"],"provision_message":null})";

TEST(parse_addon, good_and_required_fields) {
    const auto r = parse_addon(addon_json);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->name, "postgresql-curved-12345");
    EXPECT_EQ(r->state, "provisioning");
    EXPECT_EQ(r->app.name, "shop");
    EXPECT_EQ(r->plan_name, "heroku-postgresql:standard-2");
    ASSERT_EQ(r->config_vars.size(), 1u);
    // config_vars may be absent while provisioning; plan may not.
    EXPECT_TRUE(parse_addon(R"({"id":"x","name":"n","state":"provisioned",
        "app":{"id":"a","name":"b"},"plan":{"name":"p"}})")
                    .ok());
    expect_invalid(parse_addon(R"({"id":"x","name":"n","state":"provisioned",
        "app":{"id":"a","name":"b"}})"),
                   "\"plan\" is missing");
    expect_invalid(parse_addon(R"({"id":"x","name":"n","state":"provisioned",
        "app":{"id":"a"},"plan":{"name":"p"}})"),
                   "\"app.name\" is missing");
    expect_invalid(parse_addon(R"({"id":"x","name":"n","state":"provisioned",
        "app":{"id":"a","name":"b"},"plan":{"name":"p"},"config_vars":[1]})"),
                   "\"config_vars[0]\" must be a string");
    const auto list = parse_addons(std::string("[") + addon_json + "," + addon_json + "]");
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 2u);
}

TEST(parse_attachment, namespace_null_and_plan) {
    const auto r = parse_attachments(R"([
      {"id":"t1","name":"DATABASE","namespace":null,"app":{"id":"a1","name":"shop"},
       "addon":{"id":"ad1","name":"pg-old","app":{"id":"a1","name":"shop"},
                "plan":{"name":"heroku-postgresql:standard-0"}},"config_vars":["DATABASE_URL"]},
      {"id":"t2","name":"DATABASE_CONNECTION_POOL","namespace":"connection-pooling:default",
       "addon":{"id":"ad1","name":"pg-old","app":{"id":"a1","name":"shop"},
                "plan":{"name":"heroku-postgresql:standard-0"}}}])");
    ASSERT_TRUE(r.ok()) << r.err().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_FALSE((*r)[0].name_space);
    EXPECT_EQ((*r)[0].addon.plan_name, "heroku-postgresql:standard-0");
    ASSERT_TRUE((*r)[0].app);
    EXPECT_EQ((*r)[1].name_space.value_or(""), "connection-pooling:default");
    EXPECT_FALSE((*r)[1].app);
    expect_invalid(parse_attachment(R"({"id":"t","name":"D","namespace":5,
        "addon":{"id":"a","name":"n","app":{"id":"a","name":"b"},"plan":{"name":"p"}}})"),
                   "\"namespace\" must be a string");
}

// Plain version=3 (no Accept-Inclusion honoured) and the POST /addon-attachments answer
// embed no plan: the attachment still parses; the plan is read from the add-on itself.
TEST(parse_attachment, plain_v3_without_plan) {
    const auto r = parse_attachment(R"({"id":"t","name":"DATABASE","namespace":null,
        "addon":{"id":"a","name":"n","app":{"id":"a","name":"b"}}})");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->addon.plan_name, "");
    EXPECT_EQ(r->addon.app.name, "b");
    expect_invalid(parse_attachment(R"({"id":"t","name":"D",
        "addon":{"id":"a","name":"n","app":{"id":"a","name":"b"},"plan":{}}})"),
                   "\"addon.plan.name\" is missing");
}

TEST(parse_config_vars, strings_nulls_and_wrong_types) {
    const auto r = parse_config_vars(R"({"DATABASE_URL":"postgres://x","GONE":null})");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), 1u);
    EXPECT_EQ(r->at("DATABASE_URL"), "postgres://x");
    expect_invalid(parse_config_vars(R"({"PORT":5432})"), "\"PORT\" must be a string");
    expect_invalid(parse_config_vars("[1]"), "must be a JSON object");
}

TEST(parse_release, one_and_list) {
    const auto r = parse_releases(R"([
        {"id":"r2","version":12,"status":"pending","description":"Attach DATABASE"},
        {"id":"r1","version":11,"status":"succeeded","description":null,
         "created_at":"2024-01-01T00:00:00Z"}])");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[0].description, "Attach DATABASE");
    EXPECT_EQ((*r)[1].version, 11);
    EXPECT_FALSE((*r)[0].created_at);
    EXPECT_EQ((*r)[1].created_at,
              time_point{std::chrono::sys_days{std::chrono::year{2024} / 1 / 1}});
    expect_invalid(parse_release(R"({"id":"r","version":1,"status":"x","created_at":"now"})"),
                   "\"created_at\" must be a timestamp");
    expect_invalid(parse_releases(R"([{"id":"r","version":1,"status":"x",
                                       "created_at":"2024-01-01T00:00:00"}])"),
                   "\"[0].created_at\" must be a timestamp");
    expect_invalid(parse_release(R"({"id":"r","version":"12","status":"x"})"),
                   "\"version\" must be an integer");
    expect_invalid(parse_release(R"({"id":"r","version":1})"), "\"status\" is missing");
}

TEST(parse_rate_limits, remaining) {
    const auto r = parse_rate_limits(R"({"remaining":4321})");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->remaining, 4321);
    expect_invalid(parse_rate_limits(R"({"remaining":1.5})"), "\"remaining\" must be an integer");
}

TEST(parse_error_body, heroku_shape_only) {
    const auto e = parse_error_body(R"({"id":"not_found","message":"Couldn't find that app.",
        "url":"https://devcenter.heroku.com","resource":"app"})");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->id, "not_found");
    EXPECT_EQ(e->message, "Couldn't find that app.");
    EXPECT_FALSE(parse_error_body(R"({"id":"x"})"));
    EXPECT_FALSE(parse_error_body("Service Unavailable"));
    const auto no_id = parse_error_body(R"({"message":"m"})");
    ASSERT_TRUE(no_id);
    EXPECT_EQ(no_id->id, "");
}

// The Data API answers errors its own way (a 404 from wait_status in the first seconds).
TEST(parse_error_body, data_api_shape) {
    const auto e = parse_error_body(R"({"error":"not found"})");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->id, "");
    EXPECT_EQ(e->message, "not found");
    EXPECT_FALSE(parse_error_body(R"({"error":{"code":1}})"));
}

} // namespace
} // namespace pgshift::heroku
