// Plain HTTP values: header and query lookups, response factories, the stream queue.
#include "api/chunk_queue.hpp"
#include "api/http_types.hpp"

#include <gtest/gtest.h>

namespace {

using namespace pgshift::http;

TEST(http_types, header_lookup_ignores_case_and_query_lookup_does_not) {
    request req;
    req.headers = {{"Content-Type", "a"}, {"X-Dup", "1"}, {"x-dup", "2"}};
    req.query = {{"Page", "1"}, {"page", "2"}};
    EXPECT_EQ(req.header_value("content-type"), "a");
    EXPECT_EQ(req.header_value("X-DUP"), "1");
    EXPECT_FALSE(req.header_value("absent"));
    EXPECT_EQ(req.query_value("page"), "2");
    EXPECT_FALSE(req.query_value("PAGE"));
}

TEST(http_types, error_bodies_are_escaped_json) {
    const auto res = response::error(422, "invalid_params", "name \"x\"\nis bad");
    EXPECT_EQ(res.status, 422);
    EXPECT_EQ(res.body, R"({"id":"invalid_params","message":"name \"x\"\nis bad"})");
    ASSERT_EQ(res.headers.size(), 1U);
    EXPECT_EQ(res.headers[0].value, "application/json");
    EXPECT_EQ(response::json(201, "{}").status, 201);
}

TEST(chunk_queue, queues_in_order_and_closes_when_the_peer_falls_behind) {
    detail::chunk_queue queue(10);
    int wakes = 0;
    queue.set_wake([&] { ++wakes; });
    EXPECT_TRUE(queue.write("abc"));
    EXPECT_TRUE(queue.write("")); // ignored: it would end a chunked body
    EXPECT_TRUE(queue.write("defg"));
    EXPECT_EQ(wakes, 2);
    EXPECT_EQ(queue.pop(), "abc");
    EXPECT_TRUE(queue.write("hijkl")); // 9 bytes queued
    EXPECT_FALSE(queue.write("mn"));   // 11 > 10: the peer is too slow, the stream closes
    EXPECT_TRUE(queue.closed());
    EXPECT_FALSE(queue.pop());
    EXPECT_EQ(wakes, 4); // the close woke the session once more
}

TEST(chunk_queue, finish_ends_the_stream_after_what_is_queued) {
    detail::chunk_queue queue(100);
    EXPECT_TRUE(queue.write("a"));
    queue.finish();
    EXPECT_FALSE(queue.write("b"));
    EXPECT_TRUE(queue.finished());
    EXPECT_FALSE(queue.closed());
    EXPECT_EQ(queue.pop(), "a");
    queue.close();
    EXPECT_TRUE(queue.closed());
}

} // namespace
