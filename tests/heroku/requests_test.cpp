// JSON bodies of the requests pgshift sends (heroku-api.md §3).
#include "heroku/requests.hpp"
#include "heroku/secret_token.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace pgshift::heroku {
namespace {

using nlohmann::json;

TEST(request_bodies, maintenance_and_formation_integers) {
    EXPECT_EQ(json::parse(maintenance_body(true)), json({{"maintenance", true}}));
    const auto body = json::parse(formation_body({{"worker", 0}, {"clock", 3}}));
    EXPECT_EQ(body, json::parse(R"({"updates":[{"type":"worker","quantity":0},
                                               {"type":"clock","quantity":3}]})"));
    EXPECT_TRUE(body["updates"][1]["quantity"].is_number_integer());
}

TEST(request_bodies, addon_create_minimal_and_full) {
    addon_create_request r;
    r.plan = "heroku-postgresql:standard-2";
    EXPECT_EQ(json::parse(addon_create_body(r)),
              json::parse(R"({"plan":{"name":"heroku-postgresql:standard-2"}})"));
    r.version = "16";
    r.name = "pgshift-7f3a";
    r.attachment_name = "PGSHIFT_TARGET";
    r.confirm = "shop";
    EXPECT_EQ(json::parse(addon_create_body(r)), json::parse(R"({
        "plan":{"name":"heroku-postgresql:standard-2"},"config":{"version":"16"},
        "name":"pgshift-7f3a","attachment":{"name":"PGSHIFT_TARGET"},"confirm":"shop"})"));
}

TEST(request_bodies, promotion_sends_namespace_null) {
    attachment_create_request r{.addon_name = "pg-new",
                                .app = "shop",
                                .name = "DATABASE",
                                .name_space = std::nullopt,
                                .confirm = "shop"};
    const auto body = json::parse(attachment_create_body(r));
    EXPECT_EQ(body, json::parse(R"({"addon":{"name":"pg-new"},"app":{"name":"shop"},
        "confirm":"shop","name":"DATABASE","namespace":null})"));
    ASSERT_TRUE(body.contains("namespace"));
    // The keep-an-alias request: no name, the current namespace.
    r.name.reset();
    r.name_space = "credential:x";
    const auto alias = json::parse(attachment_create_body(r));
    EXPECT_FALSE(alias.contains("name"));
    EXPECT_EQ(alias["namespace"], "credential:x");
}

TEST(request_bodies, destroy_and_restore) {
    EXPECT_EQ(json::parse(addon_destroy_body()), json({{"force", false}}));
    EXPECT_EQ(json::parse(restore_body("https://s3/b\"1")),
              json({{"backup_url", "https://s3/b\"1"}}));
    // As pg:backups:restore --extensions sends them: lower-case and sorted.
    EXPECT_EQ(json::parse(restore_body("https://s3/b", {"pg_trgm", "HSTORE"})),
              json::parse(R"({"backup_url":"https://s3/b","extensions":["hstore","pg_trgm"]})"));
}

TEST(secret_token, prints_redacted) {
    const secret_token t("HRKU-super-secret");
    std::ostringstream out;
    out << t;
    EXPECT_EQ(out.str(), "[redacted]");
    EXPECT_EQ(t.reveal(), "HRKU-super-secret");
}

} // namespace
} // namespace pgshift::heroku
