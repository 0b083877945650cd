// Unit tests of the emulator's pure logic: world timing (scripted clock), faults, budget, paging.
#include "emulator/faults.hpp"
#include "emulator/formation_spec.hpp"
#include "emulator/options.hpp"
#include "emulator/pagination.hpp"
#include "emulator/rate_limit.hpp"
#include "emulator/world.hpp"

#include <gtest/gtest.h>

using namespace pgshift::emulator;
using namespace std::chrono_literals;

namespace {

addon_request plan(std::string name, std::string version = "") {
    addon_request r;
    r.plan = std::move(name);
    if (!version.empty()) {
        r.config["version"] = version;
    }
    return r;
}

formation_update set_to(std::string type, std::optional<int> quantity,
                        std::optional<int> delta = std::nullopt) {
    formation_update u;
    u.type = std::move(type);
    u.quantity = quantity;
    u.delta = delta;
    return u;
}

struct emulator_world : ::testing::Test {
    time_point now = time_point{} + std::chrono::hours(24 * 365 * 50);
    world w{[this] { return now; }, nullptr, "/tmp"};

    void SetUp() override {
        timings t;
        t.provisioning = 3s;
        t.wait_status_404 = 2s;
        t.waiting = 4s;
        t.transfer_pending = 1s;
        t.throughput_bytes_per_s = 100;
        t.release_phase = 5s;
        w.set_timings(t);
        seed_request r;
        r.name = "shop";
        r.formation = {{"web", 2}, {"worker", 3}};
        r.size_bytes = 1000;
        ASSERT_TRUE(w.seed_app(r));
    }

    std::string database_id() { return w.find_attachment("shop", "DATABASE")->addon.record.id; }
};

TEST_F(emulator_world, add_on_provisions_after_the_configured_time) {
    auto ad = w.create_addon("shop", plan("heroku-postgresql:standard-2", "16"));
    ASSERT_TRUE(ad);
    EXPECT_EQ(ad->state, addon_state::provisioning);
    EXPECT_TRUE(ad->config_vars.empty());
    now += 2999ms;
    EXPECT_EQ(w.find_addon("shop", ad->record.name)->state, addon_state::provisioning);
    now += 1ms;
    auto later = w.find_addon("shop", ad->record.name);
    EXPECT_EQ(later->state, addon_state::provisioned);
    EXPECT_EQ(later->record.postgres_version, "16");
    ASSERT_EQ(later->config_vars.size(), 1u);
    EXPECT_EQ(w.config_vars("shop")->count(later->config_vars[0]), 1u);
}

TEST_F(emulator_world, wait_status_is_404_then_waiting_then_available) {
    auto ad = w.create_addon("shop", plan("heroku-postgresql:standard-2"));
    const auto id = ad->record.id;
    EXPECT_EQ(w.database_wait_status(id).err().status, 404);
    now += 2s; // 404 window over, still provisioning
    EXPECT_TRUE(w.database_wait_status(id)->waiting);
    now += 1s; // provisioned, but waiting for 4 s more
    EXPECT_EQ(w.database_wait_status(id)->message, "pending");
    now += 4s;
    EXPECT_FALSE(w.database_wait_status(id)->waiting);
    EXPECT_EQ(w.database_wait_status(id)->message, "available");
}

TEST_F(emulator_world, provisioning_fault_ends_deprovisioned) {
    auto r = plan("heroku-postgresql:standard-2");
    r.fail_provisioning = true;
    auto ad = w.create_addon("shop", r);
    now += 3s;
    EXPECT_EQ(w.find_addon("shop", ad->record.id)->state, addon_state::deprovisioned);
}

TEST_F(emulator_world, simulated_backup_progresses_by_throughput) {
    auto t = w.capture(database_id(), transfer_fault::none);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->record.started_at);
    now += 1s + 500ms; // pending 1 s, then 0.5 s at 100 B/s
    auto mid = w.find_transfer("shop", "b001");
    ASSERT_TRUE(mid);
    EXPECT_TRUE(mid->record.started_at);
    EXPECT_EQ(mid->record.processed_bytes, 50);
    EXPECT_FALSE(mid->record.finished_at);
    now += 10s;
    auto done = w.find_transfer("shop", t->record.uuid);
    EXPECT_TRUE(done->record.finished_at);
    EXPECT_TRUE(done->record.succeeded);
    EXPECT_EQ(done->record.processed_bytes, 1000);
}

TEST_F(emulator_world, stalled_transfer_never_finishes_and_failed_one_fails) {
    auto stalled = w.capture(database_id(), transfer_fault::stall);
    auto failed = w.capture(database_id(), transfer_fault::fail);
    now += std::chrono::hours(24);
    auto s = w.find_transfer("shop", stalled->record.uuid);
    auto f = w.find_transfer("shop", failed->record.uuid);
    EXPECT_FALSE(s->record.finished_at);
    EXPECT_EQ(s->record.processed_bytes, 500);
    EXPECT_TRUE(f->record.finished_at);
    EXPECT_FALSE(f->record.succeeded);
}

TEST_F(emulator_world, promotion_needs_confirm_and_moves_database_url) {
    auto ad = w.create_addon("shop", plan("heroku-postgresql:standard-2"));
    now += 3s;
    attachment_request r{ad->record.name, "shop", "DATABASE", std::nullopt, std::nullopt};
    EXPECT_EQ(w.attach(r).err().status, 423);
    r.confirm = "shop";
    auto at = w.attach(r);
    ASSERT_TRUE(at);
    auto vars = w.config_vars("shop").value();
    EXPECT_EQ(vars["DATABASE_URL"], ad->record.resource_url);
    // The old add-on keeps its colour attachment.
    EXPECT_EQ(w.resolve_attachment("shop", "HEROKU_POSTGRESQL_PINK")->size(), 1u);
    auto rel = w.releases("shop").value();
    ASSERT_GE(rel.size(), 2u);
    EXPECT_NE(rel[rel.size() - 2].record.description.find("Detach DATABASE"), std::string::npos);
    EXPECT_NE(rel.back().record.description.find("Attach DATABASE"), std::string::npos);
    int promotions = 0;
    for (const auto& e : w.ledger()) {
        promotions += e.kind == "promotion";
    }
    EXPECT_EQ(promotions, 1);
}

TEST_F(emulator_world, release_phase_keeps_releases_pending) {
    seed_request r;
    r.name = "phased";
    r.release_phase = true;
    ASSERT_TRUE(w.seed_app(r));
    ASSERT_TRUE(w.set_config_vars("phased", {{"X", "1"}}));
    EXPECT_EQ(w.releases("phased")->back().status, release_status::pending);
    now += 5s;
    EXPECT_EQ(w.releases("phased")->back().status, release_status::succeeded);
}

TEST_F(emulator_world, failing_release_phase_ends_failed_and_never_current) {
    seed_request r;
    r.name = "phased";
    r.release_phase = r.release_phase_fails = true;
    ASSERT_TRUE(w.seed_app(r));
    ASSERT_TRUE(w.set_config_vars("phased", {{"X", "1"}}));
    EXPECT_EQ(w.releases("phased")->back().status, release_status::pending);
    now += 5s;
    EXPECT_EQ(w.releases("phased")->back().status, release_status::failed);
    EXPECT_FALSE(w.releases("phased")->back().current);
    ASSERT_TRUE(w.set_release_phase("phased", release_phase_mode::succeed));
    ASSERT_TRUE(w.set_config_vars("phased", {{"X", "2"}}));
    now += 5s;
    EXPECT_EQ(w.releases("phased")->back().status, release_status::succeeded);
    EXPECT_TRUE(w.releases("phased")->back().current);
    EXPECT_FALSE(w.releases("phased")->front().current);
}

TEST_F(emulator_world, batch_scale_is_all_or_nothing) {
    auto bad = w.scale("shop", {set_to("worker", 0), set_to("nope", 1)});
    EXPECT_EQ(bad.err().status, 404);
    EXPECT_EQ(w.formation("shop")->at(1).quantity, 3);
    const auto plus = set_to("worker", std::nullopt, 1);
    EXPECT_EQ(w.scale("shop", {plus})->at(1).quantity, 4);
}

TEST(emulator_faults, route_patterns_match_segments) {
    EXPECT_TRUE(route_matches("/apps/{app}/formation", "/apps/shop/formation"));
    EXPECT_FALSE(route_matches("/apps/{app}/formation", "/apps/shop/formation/web"));
    EXPECT_TRUE(route_matches("/client/v11/**", "/client/v11/apps/x/transfers"));
    EXPECT_FALSE(route_matches("/apps/{app}", "/apps"));
}

TEST(emulator_faults, first_n_fires_exactly_n_times) {
    fault_table t;
    fault_rule r;
    r.route = "/apps/{app}";
    r.first_n = 2;
    t.add(r);
    int fired = 0;
    for (int i = 0; i < 5; ++i) {
        fired += t.on_request("GET", "/apps/x").status.has_value();
    }
    EXPECT_EQ(fired, 2);
    EXPECT_EQ(t.list()[0].fired, 2);
    EXPECT_EQ(t.list()[0].matched, 5);
}

TEST(emulator_rate_limit, bucket_empties_and_refills) {
    rate_limiter r(3, 60); // one per second
    const time_point t0{};
    EXPECT_EQ(r.take("a", t0).remaining, 2);
    r.take("a", t0);
    r.take("a", t0);
    EXPECT_FALSE(r.take("a", t0).allowed);
    EXPECT_TRUE(r.take("b", t0).allowed); // per token
    EXPECT_TRUE(r.take("a", t0 + 1s).allowed);
}

TEST(emulator_pagination, parses_heroku_ranges) {
    auto r = parse_range("version ..; max=5, order=desc");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->key, "version");
    EXPECT_EQ(r->max, 5u);
    EXPECT_TRUE(r->descending);
    auto next = parse_range("id ]abc..; max=200;");
    ASSERT_TRUE(next);
    EXPECT_TRUE(next->exclusive);
    EXPECT_EQ(*next->start, "abc");
    EXPECT_FALSE(parse_range("garbage"));
}

TEST(emulator_formation_spec, parses_people_speak) {
    auto f = parse_formation("web=2 worker=3 release=0");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->size(), 3u);
    EXPECT_EQ((*f)[1], (std::pair<std::string, int>{"worker", 3}));
    EXPECT_FALSE(parse_formation("web=-1"));
    EXPECT_FALSE(parse_formation("web"));
}

TEST(emulator_options, bad_flags_are_one_line_errors) {
    EXPECT_TRUE(
        std::holds_alternative<std::string>(parse_options({"--port", "x", "--token", "t"})));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_options({"--address", "0.0.0.0"})));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_options({})));
    auto ok = parse_options({"--port=0", "--token", "t", "--page-size", "5"});
    ASSERT_TRUE(std::holds_alternative<emulator_options>(ok));
    EXPECT_EQ(std::get<emulator_options>(ok).page_size, 5u);
}

} // namespace
