// End to end on real PostgreSQL: heroku-api.md §5 by raw HTTP, then SQL proves the copy.
#include "emulator/pg_database_host.hpp"
#include "tests/emulator/emulator_fixture.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/pg_query.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace pgshift::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const char* seed_sql = R"sql(
CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, created date);
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id),
                     total numeric(10,2), note text);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE SEQUENCE invoice_numbers START 1000;
CREATE TABLE invoices (num int PRIMARY KEY DEFAULT nextval('invoice_numbers'),
                       order_id bigint REFERENCES orders(id));
INSERT INTO customers (email, created)
  SELECT 'c' || g || '@example.com', date '2020-01-01' + g FROM generate_series(1, 1500) g;
INSERT INTO orders (customer_id, total, note)
  SELECT 1 + g % 1500, g * 1.25, md5(g::text) FROM generate_series(1, 3000) g;
INSERT INTO invoices (order_id) SELECT id FROM orders WHERE id % 3 = 0;
)sql";

// Polls `get` every 20 ms until `done` holds or 20 s pass; returns the last answer.
json_reply poll(const std::function<json_reply()>& get,
                const std::function<bool(const json_reply&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
        auto r = get();
        if (done(r) || std::chrono::steady_clock::now() > deadline) {
            return r;
        }
        std::this_thread::sleep_for(20ms);
    }
}

// The dumps' directory, one per test process, removed after the emulator that wrote there.
struct scratch_dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("emulator-e2e-" + std::to_string(::getpid()));
    scratch_dir() { std::filesystem::create_directories(path); }
    ~scratch_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
};

class emulator_e2e : public ::testing::Test {
protected:
    static pgshift::emulator::service_options options(const std::filesystem::path& dir) {
        pgshift::emulator::service_options o;
        o.host = std::make_shared<pgshift::emulator::pg_database_host>(shared_admin_url());
        o.state_dir = dir;
        return o;
    }
    scratch_dir dumps; // declared first: destroyed after `emu` has stopped its jobs
    running_emulator emu{options(dumps.path)};

    std::string old_url;

    void seed() {
        emu.call("PUT", "/_emulator/timings",
                 {{"provisioning_ms", 200},
                  {"wait_status_404_ms", 1500},
                  {"waiting_ms", 200},
                  {"transfer_pending_ms", 0},
                  {"release_phase_ms", 300}});
        auto seeded = emu.call("POST", "/_emulator/apps",
                               {{"name", "shop"},
                                {"formation", "web=2 worker=3 release=0"},
                                {"sql", seed_sql},
                                {"pooler", true}});
        ASSERT_EQ(seeded.status, 201) << seeded.raw.body;
        old_url = seeded.body["database_url"].get<std::string>();
    }

    json current_database() {
        auto atts = emu.call("GET", "/apps/shop/addon-attachments", nullptr,
                             {{"Accept-Inclusion", "addon:plan,config_vars"}});
        for (const auto& a : atts.body) {
            if (a["name"] == "DATABASE") {
                return a["addon"];
            }
        }
        ADD_FAILURE() << "no DATABASE attachment";
        return nullptr;
    }

    json provision_new() {
        auto created = emu.call("POST", "/apps/shop/addons",
                                {{"plan", {{"name", "heroku-postgresql:standard-2"}}},
                                 {"config", {{"version", "16"}}}});
        EXPECT_EQ(created.status, 202);
        const auto id = created.body["id"].get<std::string>();
        const auto name = created.body["name"].get<std::string>();
        auto prov = poll([&] { return emu.call("GET", "/apps/shop/addons/" + name); },
                         [](const json_reply& r) { return r.body["state"] != "provisioning"; });
        EXPECT_EQ(prov.body["state"], "provisioned");
        int not_found = 0;
        auto ready =
            poll([&] { return emu.call("GET", "/client/v11/databases/" + id + "/wait_status"); },
                 [&](const json_reply& r) {
                     not_found += r.status == 404;
                     return r.status == 200 && r.body["waiting?"] == false;
                 });
        EXPECT_EQ(ready.status, 200);
        EXPECT_GE(not_found, 1); // the Data API did not know the database at first
        return created.body;
    }

    json enter_downtime() {
        EXPECT_EQ(emu.call("PATCH", "/apps/shop", {{"maintenance", true}}).status, 200);
        json saved = json::array(), zero = json::array();
        for (const auto& d : emu.call("GET", "/apps/shop/formation").body) {
            if (d["type"] != "web" && d["type"] != "release") {
                saved.push_back({{"type", d["type"]}, {"quantity", d["quantity"]}});
                zero.push_back({{"type", d["type"]}, {"quantity", 0}});
            }
        }
        EXPECT_EQ(emu.call("PATCH", "/apps/shop/formation", {{"updates", zero}}).status, 200);
        return saved;
    }

    void copy_data(const json& old_addon, const json& fresh) {
        auto cap = emu.call("POST", "/client/v11/databases/" + old_addon["id"].get<std::string>() +
                                        "/backups");
        ASSERT_EQ(cap.status, 201);
        auto backup = wait_transfer(old_addon["app"]["name"], cap.body["uuid"]);
        ASSERT_EQ(backup["succeeded"], true) << backup.dump();
        EXPECT_GT(backup["processed_bytes"].get<std::int64_t>(), 0);
        auto res = emu.call("POST",
                            "/client/v11/databases/" + fresh["id"].get<std::string>() + "/restores",
                            {{"backup_url", backup["to_url"]}});
        ASSERT_EQ(res.status, 201);
        // Restores are polled by app id, captures by app name, as the CLI does.
        auto restored = wait_transfer(fresh["app"]["id"], res.body["uuid"]);
        ASSERT_EQ(restored["succeeded"], true) << restored.dump();
    }

    void promote(const std::string& name) {
        json body = {{"addon", {{"name", name}}},
                     {"app", {{"name", "shop"}}},
                     {"confirm", "shop"},
                     {"name", "DATABASE"},
                     {"namespace", nullptr}};
        ASSERT_EQ(emu.call("POST", "/addon-attachments", body).status, 201);
        body["name"] = "DATABASE_CONNECTION_POOL";
        body["namespace"] = "connection-pooling:default";
        ASSERT_EQ(emu.call("POST", "/addon-attachments", body).status, 201);
        auto rel = emu.call("GET", "/apps/shop/releases", nullptr,
                            {{"Range", "version ..; max=5, order=desc"}});
        std::string attach_id;
        for (const auto& r : rel.body) {
            if (r["description"].get<std::string>().find("Attach DATABASE (") !=
                std::string::npos) {
                attach_id = r["id"];
            }
        }
        ASSERT_FALSE(attach_id.empty());
        auto settled = poll([&] { return emu.call("GET", "/apps/shop/releases/" + attach_id); },
                            [](const json_reply& r) { return r.body["status"] != "pending"; });
        EXPECT_EQ(settled.body["status"], "succeeded");
    }

    void verify(const std::string& new_id) {
        auto vars = emu.call("GET", "/apps/shop/config-vars").body;
        auto info = emu.call("GET", "/client/v11/databases/" + new_id).body;
        EXPECT_EQ(vars["DATABASE_URL"], info["resource_url"]);
        EXPECT_NE(vars["DATABASE_URL"], old_url);
        EXPECT_EQ(emu.call("POST", "/actions/addon-attachments/resolve",
                           {{"addon_attachment", "DATABASE_URL"}, {"app", "shop"}})
                      .body[0]["addon"]["id"],
                  new_id);
        // SQL: same rows and sequence states, and DATABASE_URL reaches the copy.
        const auto new_url = vars["DATABASE_URL"].get<std::string>();
        EXPECT_EQ(content_digest(new_url), content_digest(old_url));
        const auto counts = table_row_counts(new_url);
        EXPECT_EQ(counts.at("public.customers"), 1500);
        EXPECT_EQ(counts.at("public.orders"), 3000);
        EXPECT_EQ(counts.at("public.invoices"), 1000);
        EXPECT_EQ(query(new_url, "SELECT nextval('invoice_numbers')")[0][0], "2000");
    }

public:
    json wait_transfer(const std::string& app, const std::string& uuid) {
        auto r =
            poll([&] { return emu.call("GET", "/client/v11/apps/" + app + "/transfers/" + uuid); },
                 [](const json_reply& x) { return !x.body["finished_at"].is_null(); });
        return r.body;
    }
};

TEST_F(emulator_e2e, seed_procedure_moves_database_url_to_an_identical_copy) {
    seed();
    const auto old_addon = current_database(); // §5.1
    const auto fresh = provision_new();        // §5.2-3
    const auto saved = enter_downtime();       // §5.4-5
    copy_data(old_addon, fresh);               // §5.6-7
    promote(fresh["name"]);                    // §5.8
    ASSERT_EQ(emu.call("PATCH", "/apps/shop/formation", {{"updates", saved}}).status, 200);
    ASSERT_EQ(emu.call("PATCH", "/apps/shop", {{"maintenance", false}}).status, 200); // §5.9
    verify(fresh["id"]);                                                              // §5.10
    std::map<std::string, int> kinds;
    for (const auto& e : emu.call("GET", "/_emulator/ledger").body) {
        ++kinds[e["kind"].get<std::string>()];
    }
    EXPECT_EQ(kinds["addon_created"], 1);
    EXPECT_EQ(kinds["backup"], 1);
    EXPECT_EQ(kinds["restore"], 1);
    EXPECT_EQ(kinds["promotion"], 1);
    EXPECT_EQ(kinds["maintenance"], 2);
    EXPECT_EQ(kinds["formation"], 2);
    EXPECT_EQ(kinds["transfer_finished"], 2);
    EXPECT_EQ(kinds["addon_destroyed"], 0);
}

json seed_app(running_emulator& emu, const std::string& name, const std::string& sql) {
    auto r = emu.call("POST", "/_emulator/apps", {{"name", name}, {"sql", sql}});
    EXPECT_EQ(r.status, 201) << r.raw.body;
    return r.body["addon"];
}

// A restore of `backup` into `target` with this request body; returns the finished transfer.
json restore_into(emulator_e2e& t, running_emulator& emu, const json& target, json body) {
    auto res = emu.call(
        "POST", "/client/v11/databases/" + target["id"].get<std::string>() + "/restores", body);
    EXPECT_EQ(res.status, 201) << res.raw.body;
    auto done = t.wait_transfer(target["app"]["name"], res.body["uuid"]);
    return emu
        .call("GET", "/client/v11/apps/" + target["app"]["name"].get<std::string>() +
                         "/transfers/" + done["uuid"].get<std::string>() + "?verbose=true")
        .body;
}

std::string all_logs(const json& transfer) {
    std::string out;
    for (const auto& l : transfer["logs"]) {
        out += l["message"].get<std::string>() + "\n";
    }
    return out;
}

TEST_F(emulator_e2e, restore_creates_only_the_requested_extensions) {
    emu.call("PUT", "/_emulator/timings", {{"transfer_pending_ms", 0}});
    // The seed's SQL runs as the add-on's own role: hstore is a trusted extension.
    auto source = seed_app(emu, "kv",
                           "CREATE EXTENSION hstore; "
                           "CREATE TABLE t (id serial PRIMARY KEY, h hstore); "
                           "CREATE TABLE plain (id int); "
                           "INSERT INTO t (h) VALUES ('a=>1'), ('b=>2');");
    auto cap =
        emu.call("POST", "/client/v11/databases/" + source["id"].get<std::string>() + "/backups");
    ASSERT_EQ(cap.status, 201);
    auto backup = wait_transfer("kv", cap.body["uuid"]);
    ASSERT_EQ(backup["succeeded"], true) << backup.dump();
    const auto url = backup["to_url"];

    // Without `extensions`: the dump's CREATE EXTENSION is not replayed, so what needs hstore
    // fails and the restore ends with warnings that say why.
    auto bare = restore_into(*this, emu, seed_app(emu, "bare", ""), {{"backup_url", url}});
    EXPECT_EQ(bare["succeeded"], true) << bare.dump();
    EXPECT_GT(bare["warnings"].get<int>(), 0);
    EXPECT_NE(all_logs(bare).find("hstore"), std::string::npos) << all_logs(bare);
    const auto bare_url = emu.call("GET", "/apps/bare/config-vars").body["DATABASE_URL"];
    EXPECT_EQ(query(bare_url, "SELECT count(*) FROM pg_extension WHERE extname = 'hstore'")[0][0],
              "0");

    // With it: created first, then a clean restore.
    auto with = restore_into(*this, emu, seed_app(emu, "with", ""),
                             {{"backup_url", url}, {"extensions", {"hstore"}}});
    EXPECT_EQ(with["succeeded"], true) << with.dump();
    EXPECT_EQ(with["warnings"], 0) << all_logs(with);
    const auto with_url =
        emu.call("GET", "/apps/with/config-vars").body["DATABASE_URL"].get<std::string>();
    EXPECT_EQ(query(with_url, "SELECT h -> 'b' FROM t WHERE id = 2")[0][0], "2");
    std::string detail;
    for (const auto& e : emu.call("GET", "/_emulator/ledger").body) {
        if (e["kind"] == "restore" && e["app"] == "with") {
            detail = e["detail"];
        }
    }
    EXPECT_NE(detail.find("extensions hstore"), std::string::npos) << detail;

    // An extension the server does not have fails the restore with a log line.
    auto unknown = restore_into(*this, emu, seed_app(emu, "unknown", ""),
                                {{"backup_url", url}, {"extensions", {"no_such_extension"}}});
    EXPECT_EQ(unknown["succeeded"], false);
    EXPECT_NE(all_logs(unknown).find("could not create extension no_such_extension"),
              std::string::npos)
        << all_logs(unknown);

    auto bad =
        emu.call("POST", "/client/v11/databases/" + source["id"].get<std::string>() + "/restores",
                 {{"backup_url", url}, {"extensions", "hstore"}});
    EXPECT_EQ(bad.status, 422);
    EXPECT_NE(bad.raw.body.find("extensions"), std::string::npos);
}

TEST_F(emulator_e2e, database_info_counts_the_real_tables) {
    auto addon = seed_app(emu, "counted",
                          "CREATE TABLE a (x int); CREATE TABLE b (x int); CREATE SCHEMA s; "
                          "CREATE TABLE s.c (x int); CREATE TABLE d (x int); "
                          "CREATE TABLE e (x int); CREATE VIEW v AS SELECT 1;");
    const auto info_path = "/client/v11/databases/" + addon["id"].get<std::string>();
    const auto tables_row = [](const json& info) {
        for (const auto& row : info["info"]) {
            if (row["name"] == "Tables") {
                return row["values"][0].get<std::string>();
            }
        }
        return std::string("missing");
    };
    auto info = emu.call("GET", info_path).body;
    EXPECT_EQ(info["num_tables"], 5);
    EXPECT_EQ(tables_row(info), "5");
    exec(info["resource_url"], "CREATE TABLE f (x int)");
    info = emu.call("GET", info_path).body;
    EXPECT_EQ(info["num_tables"], 6);
    EXPECT_EQ(tables_row(info), "6");
}

} // namespace
