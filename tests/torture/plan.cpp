// Trial plans: one seeded generator per (seed, trial), nothing else drawn from.
#include "tests/torture/plan.hpp"

#include "tests/daemon/harness.hpp"

#include <array>
#include <random>

namespace pgshift::torture {
namespace {

using nlohmann::json;

// splitmix64: neighbouring (seed, index) pairs give unrelated generator states.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// libstdc++'s distributions are not specified by the standard: draw by hand instead, so a seed
// means the same trial on every platform.
struct draw {
    std::mt19937_64 rng;
    int between(int lo, int hi) { // inclusive
        return lo + static_cast<int>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    bool chance(double p) { return static_cast<double>(rng() >> 11) * 0x1.0p-53 < p; }
    template<class T>
    const T& pick(const std::vector<T>& v) {
        return v[static_cast<std::size_t>(between(0, static_cast<int>(v.size()) - 1))];
    }
};

struct route {
    std::string method;
    std::string path;           // {app} is replaced by the trial's app
    bool after_restore = false; // called only once the restore succeeded (promotion)
    bool restore_itself = false;
};

// Routes every upgrade calls at least once, whatever the kills: a first_n rule on them fires.
const std::vector<route>& sure_routes() {
    static const std::vector<route> routes{
        {"POST", "/apps/{app}/addons"},
        {"GET", "/apps/{app}/addons/*"},
        {"GET", "/apps/{app}/formation"},
        {"PATCH", "/apps/{app}/formation"},
        {"PATCH", "/apps/{app}"},
        {"POST", "/client/v11/databases/*/backups"},
        {"GET", "/client/v11/apps/{app}/transfers/*"},
        {"POST", "/client/v11/databases/*/restores", false, true},
        {"POST", "/addon-attachments", true},
        {"GET", "/apps/{app}/releases", true},
    };
    return routes;
}

std::string with_app(std::string path, const std::string& app) {
    if (auto at = path.find("{app}"); at != std::string::npos) {
        path.replace(at, 5, app);
    }
    return path;
}

// Several tables, a foreign key, an index, a sequence already advanced, and a few hundred rows:
// the harness's three tables plus one with a composite key, jsonb and NULLs.
std::string seed_sql(draw& d) {
    const int rows = d.between(60, 400);
    const int notes = d.between(0, 80);
    const int advance = d.between(0, 25);
    return testing::sample_sql(rows) +
           "CREATE TABLE notes (customer_id int REFERENCES customers (id), n int, body text, "
           "meta jsonb, PRIMARY KEY (customer_id, n));"
           "INSERT INTO notes SELECT 1 + g % 7, g, CASE WHEN g % 5 = 0 THEN NULL ELSE "
           "'note ' || md5(g::text) END, jsonb_build_object('g', g, 'odd', g % 2 = 1) "
           "FROM generate_series(1, " +
           std::to_string(notes) +
           ") g;"
           "SELECT nextval('invoice_numbers') FROM generate_series(1, " +
           std::to_string(advance) + ");";
}

std::string formation_of(draw& d) {
    std::string f =
        "web=" + std::to_string(d.between(1, 2)) + " worker=" + std::to_string(d.between(1, 3));
    if (d.chance(0.5)) {
        f += " clock=1";
    }
    return f + " release=0";
}

fault_spec make_fault(draw& d, json rule, const std::string& kind_label, const trial_plan& p) {
    std::vector<route> usable;
    for (const route& r : sure_routes()) {
        const bool restored = p.fail == failed_transfer::none;
        const bool restore_called = p.fail != failed_transfer::capture;
        if ((!r.after_restore || restored) && (!r.restore_itself || restore_called)) {
            usable.push_back(r);
        }
    }
    const route& r = d.pick(usable);
    rule["method"] = r.method;
    rule["route"] = with_app(r.path, p.app);
    rule["first_n"] = d.between(1, 2);
    return {rule, kind_label + " x" + std::to_string(rule["first_n"].get<int>()) + " " + r.method +
                      " " + r.path};
}

} // namespace

const char* to_string(failed_transfer f) noexcept {
    switch (f) {
    case failed_transfer::none:
        return "none";
    case failed_transfer::capture:
        return "capture";
    case failed_transfer::restore:
        return "restore";
    }
    return "?";
}

trial_plan make_plan(std::uint64_t seed, int index, double fault_rate, bool crash_points) {
    draw d{std::mt19937_64(mix(mix(seed) ^ static_cast<std::uint64_t>(index)))};
    trial_plan p;
    p.seed = seed;
    p.index = index;
    p.app = "torture-" + std::to_string(index);
    p.sql = seed_sql(d);
    p.formation = formation_of(d);
    p.plan = d.chance(0.5) ? "heroku-postgresql:standard-0" : "heroku-postgresql:standard-2";
    if (d.chance(0.5)) {
        p.version = "16";
    }
    if (d.chance(fault_rate / 3)) {
        p.fail = d.chance(0.5) ? failed_transfer::capture : failed_transfer::restore;
    }
    const std::array<std::pair<json, std::string>, 6> kinds{{
        {{{"kind", "status"}, {"status", 500}}, "500"},
        {{{"kind", "status"}, {"status", 503}}, "503"},
        {{{"kind", "status"}, {"status", 429}}, "429"},
        {{{"kind", "reset"}}, "reset"},
        {{{"kind", "latency"}, {"latency_ms", 300}}, "latency"},
        {{{"kind", "garbage"}}, "garbage"},
    }};
    for (const auto& [rule, label] : kinds) {
        if (d.chance(fault_rate)) {
            p.faults.push_back(make_fault(d, rule, label, p));
        }
    }
    if (p.fail != failed_transfer::none) {
        const bool capture = p.fail == failed_transfer::capture;
        json rule{{"kind", "transfer_fail"},
                  {"method", "POST"},
                  {"route", capture ? "/client/v11/databases/*/backups"
                                    : "/client/v11/databases/*/restores"},
                  {"first_n", 1}};
        p.faults.push_back(
            {rule, std::string("transfer_fail POST ") + (capture ? "backups" : "restores")});
    }
    // Right after each Heroku write and its intent (the interpreter passes
    // after_<write>_intent and after_<write> around every one), and two state changes (the
    // N-th transition of that run): where a missing commit would show.
    static const std::vector<std::string> crash_points_list{"after_create_addon_intent",
                                                            "after_create_addon",
                                                            "after_maintenance_intent",
                                                            "after_maintenance",
                                                            "after_scale_intent",
                                                            "after_scale",
                                                            "after_capture_intent",
                                                            "after_capture",
                                                            "after_restore_intent",
                                                            "after_restore",
                                                            "after_promote_intent",
                                                            "after_promote",
                                                            "after_pooler",
                                                            "after_maintenance:2",
                                                            "after_scale:2",
                                                            "after_transition:2",
                                                            "after_transition:5"};
    const int kills = d.between(0, 3);
    for (int i = 0; i < kills; ++i) {
        kill_spec k{std::chrono::milliseconds(d.between(100, 3000)), ""};
        if (crash_points && d.chance(0.5)) {
            k.crash_at = d.pick(crash_points_list);
        }
        p.kills.push_back(k);
    }
    return p;
}

std::string describe(const trial_plan& p) {
    std::string out = p.formation + ", " + std::to_string(p.kills.size()) + " kill(s) at";
    for (const auto& k : p.kills) {
        out += " " + (k.crash_at.empty() ? std::to_string(k.after.count()) + "ms" : k.crash_at);
    }
    out += ", faults [";
    for (std::size_t i = 0; i < p.faults.size(); ++i) {
        out += (i == 0 ? "" : "; ") + p.faults[i].label;
    }
    out += "]";
    if (p.fail != failed_transfer::none) {
        out += std::string(", ") + to_string(p.fail) + " fails";
    }
    return out;
}

} // namespace pgshift::torture
