// 2xx answers that fail to parse: retried like a 5xx, never re-sent when they were POSTs.
#include "heroku/data_api.hpp"
#include "heroku/platform_api.hpp"
#include "tests/heroku/fake_heroku.hpp"

#include <gtest/gtest.h>

namespace pgshift::heroku {
namespace {

using testing::fake_heroku;

const std::string app_body = R"({"id":"a1","name":"shop","maintenance":true})";
const std::string transfer_body = R"({"uuid":"t1","num":3,"from_type":"pg_dump",
    "to_type":"gof3r","succeeded":null,"processed_bytes":10})";
const std::string formation_body_text = R"([{"type":"web","quantity":1,"size":"S"},
    {"type":"worker","quantity":0,"size":"S"}])";

// What a broken proxy or a cut connection can hand over with a 2xx status.
std::vector<std::string> garbage_for(const std::string& real) {
    return {real.substr(0, real.size() / 2), "null", "[]", R"({"unexpected":true})", ""};
}

// Answers garbage for the first `bad` requests, then the real body.
http::handler flaky(int status, std::string real, std::string garbage, int bad, int& calls) {
    return [=, &calls](http::request&) {
        const bool broken = calls++ < bad;
        return http::response::json(status, broken ? garbage : real)
            .with_header("Request-Id", "heroku-" + std::to_string(calls));
    };
}

TEST(heroku_garbage, a_get_answered_with_each_garbage_shape_is_retried_then_read) {
    for (const auto& garbage : garbage_for(app_body)) {
        SCOPED_TRACE(garbage);
        fake_heroku f;
        int calls = 0;
        f.routes.add("GET", "/apps/{app}", flaky(200, app_body, garbage, 2, calls));
        f.start();
        auto& c = f.make_client();
        const auto r = f.run(async_get_app(c, "shop"));
        ASSERT_TRUE(r.ok()) << describe(r.err());
        EXPECT_TRUE(r->maintenance);
        EXPECT_EQ(calls, 3);
        ASSERT_EQ(f.log.size(), 3u);
        // Logged as trouble with both request ids, so Heroku support can find the answer.
        const std::string our_id(f.seen[0].header_value("Request-Id").value_or("?"));
        EXPECT_EQ(f.log[0].rfind("<4>", 0), 0u) << f.log[0];
        EXPECT_NE(f.log[0].find("unreadable"), std::string::npos) << f.log[0];
        EXPECT_NE(f.log[0].find("request_id=" + our_id), std::string::npos) << f.log[0];
        EXPECT_NE(f.log[0].find("heroku_request_id=heroku-1"), std::string::npos) << f.log[0];
    }
}

TEST(heroku_garbage, a_get_that_never_parses_is_a_retryable_error_with_both_request_ids) {
    fake_heroku f;
    int calls = 0;
    f.routes.add("GET", "/client/v11/databases/{id}/wait_status",
                 flaky(200, "", "null", 1000, calls));
    f.start();
    auto opts = f.options();
    opts.retry.max_attempts = 3;
    auto& c = f.make_client(opts);
    const auto r = f.run(async_wait_status(c, "db-1"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(r.err().status, 200);
    EXPECT_EQ(r.err().id, "invalid_response");
    EXPECT_TRUE(is_retryable(r.err())) << "an unreadable answer is not Heroku saying no";
    EXPECT_FALSE(r.err().outcome_unknown);
    EXPECT_EQ(r.err().request_id, f.seen.back().header_value("Request-Id").value_or("?"));
    EXPECT_EQ(r.err().heroku_request_id, "heroku-3");
    EXPECT_NE(describe(r.err()).find("heroku heroku-3"), std::string::npos) << describe(r.err());
}

TEST(heroku_garbage, a_post_answered_with_garbage_is_outcome_unknown_and_never_resent) {
    for (const auto& garbage : garbage_for(transfer_body)) {
        SCOPED_TRACE(garbage);
        fake_heroku f;
        int backups = 0, restores = 0, addons = 0, attachments = 0;
        f.routes.add("POST", "/client/v11/databases/{id}/backups",
                     flaky(201, transfer_body, garbage, 1, backups));
        f.routes.add("POST", "/client/v11/databases/{id}/restores",
                     flaky(201, transfer_body, garbage, 1, restores));
        f.routes.add("POST", "/apps/{app}/addons", flaky(202, "{}", garbage, 1, addons));
        f.routes.add("POST", "/addon-attachments", flaky(201, "{}", garbage, 1, attachments));
        f.start();
        auto& c = f.make_client();
        attachment_create_request attach;
        attach.addon_name = "pg-new";
        attach.app = "shop";
        attach.name = "DATABASE";
        addon_create_request create;
        create.plan = "heroku-postgresql:standard-0";
        std::vector<api_error> errors;
        auto keep = [&](const auto& r) {
            ASSERT_FALSE(r.ok());
            errors.push_back(r.err());
        };
        keep(f.run(async_capture_backup(c, "db-1")));
        keep(f.run(async_create_restore(c, "db-2", "https://s3/b1")));
        keep(f.run(async_create_addon(c, "shop", create)));
        keep(f.run(async_create_attachment(c, attach)));
        EXPECT_EQ(backups + restores + addons + attachments, 4) << "each POST sent exactly once";
        ASSERT_EQ(errors.size(), 4u);
        for (const auto& e : errors) {
            EXPECT_TRUE(e.outcome_unknown) << describe(e);
            EXPECT_TRUE(is_retryable(e)) << describe(e);
            EXPECT_GE(e.status, 200);
            EXPECT_LT(e.status, 300);
            EXPECT_NE(e.message.find("look before sending it again"), std::string::npos)
                << e.message;
        }
    }
}

// `[]` where an object belongs is garbage (retried above); where a list belongs it is an
// empty list, a true answer, believed at once: a second read would cost budget for nothing.
TEST(heroku_garbage, an_empty_list_is_believed_at_once) {
    fake_heroku f;
    f.routes.add("GET", "/client/v11/apps/{app}/transfers",
                 [](http::request&) { return http::response::json(200, "[]"); });
    f.start();
    auto& c = f.make_client();
    const auto none = f.run(async_list_transfers(c, "shop"));
    ASSERT_TRUE(none.ok()) << describe(none.err());
    EXPECT_TRUE(none->empty());
    EXPECT_EQ(f.seen.size(), 1u);
}

TEST(heroku_garbage, a_page_that_fails_to_parse_is_fetched_again_with_the_same_range) {
    fake_heroku f;
    int second_page = 0;
    f.routes.add("GET", "/apps/{app}/formation", [&](http::request& r) {
        if (!r.header_value("Range")) {
            return http::response::json(206, R"([{"type":"web","quantity":1,"size":"S"}])")
                .with_header("Next-Range", "id ]web..");
        }
        // Garbage first: an empty page that still promises more, then a cut one.
        ++second_page;
        if (second_page == 1) {
            return http::response::json(206, "[]").with_header("Next-Range", "id ]zzz..");
        }
        if (second_page == 2) {
            return http::response::json(200, R"([{"type":"wor)");
        }
        return http::response::json(200, R"([{"type":"worker","quantity":2,"size":"S"}])");
    });
    f.start();
    auto& c = f.make_client();
    const auto r = f.run(async_list_formation(c, "shop"));
    ASSERT_TRUE(r.ok()) << describe(r.err());
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[1].type, "worker");
    ASSERT_EQ(f.seen.size(), 4u);
    for (std::size_t i = 1; i < 4; ++i) {
        EXPECT_EQ(f.seen[i].header_value("Range").value_or(""), "id ]web..");
    }
}

TEST(heroku_garbage, a_write_with_an_unreadable_answer_is_read_back_not_sent_again) {
    for (const auto& garbage : garbage_for(formation_body_text)) {
        SCOPED_TRACE(garbage);
        fake_heroku f;
        int patches = 0, reads = 0, maintenance = 0, app_reads = 0;
        f.routes.add("PATCH", "/apps/{app}/formation",
                     flaky(200, formation_body_text, garbage, 1000, patches));
        f.routes.add("GET", "/apps/{app}/formation",
                     flaky(200, formation_body_text, "null", 1, reads));
        f.routes.add("PATCH", "/apps/{app}", flaky(200, app_body, garbage, 1000, maintenance));
        f.routes.add("GET", "/apps/{app}", flaky(200, app_body, "null", 0, app_reads));
        f.start();
        auto& c = f.make_client();
        const auto scaled = f.run(async_scale_formation(c, "shop", {{"worker", 0}}));
        ASSERT_TRUE(scaled.ok()) << describe(scaled.err());
        EXPECT_EQ(scaled->size(), 2u);
        EXPECT_EQ(patches, 1) << "the scale took effect: it is not sent again";
        EXPECT_EQ(reads, 2) << "the formation is read back (a garbage read is retried)";
        const auto app = f.run(async_set_maintenance(c, "shop", true));
        ASSERT_TRUE(app.ok()) << describe(app.err());
        EXPECT_TRUE(app->maintenance);
        EXPECT_EQ(maintenance, 1);
        EXPECT_EQ(app_reads, 1);
    }
}

TEST(heroku_garbage, releases_after_a_version_ask_for_an_exclusive_range) {
    fake_heroku f;
    f.routes.add("GET", "/apps/{app}/releases", [](http::request&) {
        return http::response::json(200, R"j([{"id":"r42","version":42,"status":"pending",
            "description":"Attach DATABASE (@ref:pg-new)","output_stream_url":"https://out/42"}])j");
    });
    f.start();
    auto& c = f.make_client();
    const auto r = f.run(async_list_releases_after(c, "shop", 41));
    ASSERT_TRUE(r.ok()) << describe(r.err());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].version, 42);
    EXPECT_EQ((*r)[0].output_stream_url.value_or(""), "https://out/42");
    EXPECT_EQ(f.seen[0].header_value("Range").value_or(""), "version ]41..; max=10");
}

} // namespace
} // namespace pgshift::heroku
