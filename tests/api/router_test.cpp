// The route table: parameters, precedence, 404 vs 405, exact segments, percent-decoding.
#include "api/router.hpp"

#include <gtest/gtest.h>

namespace {

using pgshift::http::request;
using pgshift::http::response;
using pgshift::http::router;

request make(std::string method, std::string target) {
    request req;
    req.method = std::move(method);
    req.target = std::move(target);
    return req;
}

// A handler that answers with its own name, so a test can tell which route ran.
pgshift::http::handler named(std::string name) {
    return [name](request&) {
        response r;
        r.body = name;
        return r;
    };
}

TEST(router, fills_parameters_from_segments) {
    router r;
    r.add("GET", "/apps/{app}/addons/{addon}", named("addon"));
    auto req = make("GET", "/apps/my-app/addons/db_1?x=1");
    EXPECT_EQ(r.dispatch(req).body, "addon");
    EXPECT_EQ(req.params.at("app"), "my-app");
    EXPECT_EQ(req.params.at("addon"), "db_1");
    EXPECT_EQ(req.params.size(), 2U);
}

TEST(router, literal_segment_beats_parameter_whatever_the_order) {
    router param_first;
    param_first.add("GET", "/apps/{app}", named("param"));
    param_first.add("GET", "/apps/new", named("literal"));
    router literal_first;
    literal_first.add("GET", "/apps/new", named("literal"));
    literal_first.add("GET", "/apps/{app}", named("param"));
    for (const router* r : {&param_first, &literal_first}) {
        auto literal = make("GET", "/apps/new");
        EXPECT_EQ(r->dispatch(literal).body, "literal");
        EXPECT_TRUE(literal.params.empty());
        auto param = make("GET", "/apps/other");
        EXPECT_EQ(r->dispatch(param).body, "param");
    }
    router deeper; // the first segment where the patterns differ decides
    deeper.add("GET", "/{a}/new/{b}", named("late-literal"));
    deeper.add("GET", "/apps/{x}/{y}", named("early-literal"));
    auto req = make("GET", "/apps/new/z");
    EXPECT_EQ(deeper.dispatch(req).body, "early-literal");
}

TEST(router, unknown_path_is_404_not_found) {
    router r;
    r.add("GET", "/apps", named("apps"));
    auto req = make("GET", "/nope");
    const auto res = r.dispatch(req);
    EXPECT_EQ(res.status, 404);
    EXPECT_NE(res.body.find("\"id\":\"not_found\""), std::string::npos);
}

TEST(router, wrong_method_is_405_with_an_allow_header) {
    router r;
    r.add("POST", "/apps", named("create"));
    r.add("GET", "/apps", named("list"));
    r.add("DELETE", "/apps/{app}", named("destroy"));
    auto req = make("PATCH", "/apps");
    const auto res = r.dispatch(req);
    EXPECT_EQ(res.status, 405);
    EXPECT_NE(res.body.find("\"id\":\"method_not_allowed\""), std::string::npos);
    ASSERT_EQ(res.headers.size(), 2U);
    EXPECT_EQ(res.headers[1].name, "Allow");
    EXPECT_EQ(res.headers[1].value, "GET, HEAD, POST");
    auto lower = make("get", "/apps"); // methods are case-sensitive
    EXPECT_EQ(r.dispatch(lower).status, 405);
}

TEST(router, head_uses_the_get_route_unless_one_is_registered) {
    router r;
    r.add("GET", "/a", named("get-a"));
    r.add("GET", "/b", named("get-b"));
    r.add("HEAD", "/b", named("head-b"));
    auto a = make("HEAD", "/a");
    EXPECT_EQ(r.dispatch(a).body, "get-a");
    auto b = make("HEAD", "/b");
    EXPECT_EQ(r.dispatch(b).body, "head-b");
}

TEST(router, trailing_slashes_and_empty_segments_match_nothing) {
    router r;
    r.add("GET", "/", named("root"));
    r.add("GET", "/apps", named("apps"));
    r.add("GET", "/apps/{app}/addons", named("addons"));
    for (const char* target : {"/apps/", "//apps", "/apps//addons", "/apps/x/addons/", ""}) {
        auto req = make("GET", target);
        EXPECT_EQ(r.dispatch(req).status, 404) << target;
    }
    auto root = make("GET", "/");
    EXPECT_EQ(r.dispatch(root).body, "root");
    auto apps = make("GET", "/apps?");
    EXPECT_EQ(r.dispatch(apps).body, "apps");
}

TEST(router, decodes_each_segment_after_splitting) {
    router r;
    r.add("GET", "/apps/{app}", named("app"));
    r.add("GET", "/caf\xc3\xa9", named("literal"));
    auto spaced = make("GET", "/apps/my%20app");
    EXPECT_EQ(r.dispatch(spaced).body, "app");
    EXPECT_EQ(spaced.params.at("app"), "my app");
    auto slash = make("GET", "/apps/a%2Fb"); // an encoded '/' stays inside its segment
    EXPECT_EQ(r.dispatch(slash).body, "app");
    EXPECT_EQ(slash.params.at("app"), "a/b");
    auto literal = make("GET", "/caf%C3%A9");
    EXPECT_EQ(r.dispatch(literal).body, "literal");
    auto broken = make("GET", "/apps/%zz");
    EXPECT_EQ(r.dispatch(broken).status, 404);
}

TEST(router, matches_on_the_path_when_the_request_has_no_target) {
    router r;
    r.add("GET", "/apps/{app}", named("app"));
    request req;
    req.method = "GET";
    req.path = "/apps/already decoded";
    EXPECT_EQ(r.dispatch(req).body, "app");
    EXPECT_EQ(req.params.at("app"), "already decoded");
}

TEST(router, rejects_malformed_patterns_and_duplicates) {
    router r;
    EXPECT_THROW(r.add("GET", "apps", named("x")), std::invalid_argument);
    EXPECT_THROW(r.add("GET", "/apps/{}", named("x")), std::invalid_argument);
    EXPECT_THROW(r.add("GET", "/apps/{a", named("x")), std::invalid_argument);
    EXPECT_THROW(r.add("GET", "/apps/x{a}", named("x")), std::invalid_argument);
    EXPECT_THROW(r.add("GET", "/apps/", named("x")), std::invalid_argument);
    EXPECT_THROW(r.add("", "/apps", named("x")), std::invalid_argument);
    EXPECT_THROW(r.add("GET", "/apps", nullptr), std::invalid_argument);
    r.add("GET", "/apps/{app}", named("x"));
    EXPECT_THROW(r.add("GET", "/apps/{app}", named("y")), std::invalid_argument);
    EXPECT_NO_THROW(r.add("POST", "/apps/{app}", named("y")));
}

} // namespace
