// Heroku-shaped JSON for the world's snapshots: field names as the CLI and schema read them.
#include "emulator/json_codec.hpp"

#include "emulator/ids.hpp"

#include <cstdio>

namespace pgshift::emulator {

using nlohmann::json;

namespace {

json ref(const app_ref& a) {
    return {{"id", a.id}, {"name", a.name}};
}

json opt_time(const std::optional<time_point>& t) {
    return t ? json(iso8601(*t)) : json(nullptr);
}

// A stable plan id derived from its name, so the same plan always has the same id.
std::string plan_id(const std::string& plan) {
    const auto h = std::hash<std::string>{}(plan);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012llx", static_cast<unsigned>(h >> 32),
                  static_cast<unsigned long long>(h & 0xffffffffffffULL));
    return buf;
}

json plan_json(const std::string& plan) {
    return {{"id", plan_id(plan)}, {"name", plan}};
}

std::string human_bytes(std::int64_t n) {
    char buf[32];
    const double mb = static_cast<double>(n) / (1024.0 * 1024.0);
    std::snprintf(buf, sizeof buf, mb >= 1024 ? "%.1f GB" : "%.1f MB", mb >= 1024 ? mb / 1024 : mb);
    return buf;
}

json info_item(std::string name, std::string value) {
    return {{"name", std::move(name)}, {"values", json::array({std::move(value)})}};
}

} // namespace

json to_json(const app& a) {
    return {
        {"id", a.id},
        {"name", a.name},
        {"maintenance", a.maintenance},
        {"created_at", iso8601(a.created_at)},
        {"updated_at", iso8601(a.updated_at)},
        {"released_at", iso8601(a.updated_at)},
        {"region", {{"id", "59accabd-516d-4f0e-83e6-6e3757701145"}, {"name", "us"}}},
        {"stack", {{"id", "ee582d3c-717d-4a57-ba5f-8b3a39f3a817"}, {"name", "heroku-22"}}},
        {"build_stack", {{"id", "ee582d3c-717d-4a57-ba5f-8b3a39f3a817"}, {"name", "heroku-22"}}},
        {"owner",
         {{"id", "00000000-0000-4000-8000-000000000001"},
          {"email", "owner@heroku-emulator.invalid"}}},
        {"web_url", "https://" + a.name + ".herokuapp.com/"},
        {"git_url", "https://git.heroku.com/" + a.name + ".git"},
        {"acm", false},
        {"archived_at", nullptr},
        {"space", nullptr},
        {"team", nullptr},
        {"organization", nullptr},
        {"internal_routing", nullptr}};
}

json to_json(const dyno_type& d, const app_ref& a) {
    return {{"id", d.id},
            {"type", d.type},
            {"quantity", d.quantity},
            {"size", d.size},
            {"dyno_size", {{"id", plan_id(d.size)}, {"name", d.size}}},
            {"command", d.command},
            {"app", ref(a)},
            {"created_at", iso8601(d.created_at)},
            {"updated_at", iso8601(d.updated_at)}};
}

json to_json(const addon_view& v) {
    const auto& a = v.record;
    return {
        {"id", a.id},
        {"name", a.name},
        {"app", ref(v.app)},
        {"addon_service", {{"id", plan_id("heroku-postgresql")}, {"name", "heroku-postgresql"}}},
        {"plan", plan_json(a.plan)},
        {"state", to_string(v.state)},
        {"config_vars", v.config_vars},
        {"created_at", iso8601(a.created_at)},
        {"updated_at", iso8601(a.updated_at)},
        {"web_url", "https://data.heroku.com/datastores/" + a.id},
        {"provider_id", "resource" + a.id.substr(0, 8) + "@heroku.com"},
        {"provision_message", nullptr},
        {"billed_price", {{"cents", 0}, {"contract", false}, {"unit", "month"}}},
        {"actions", json::array()}};
}

json to_json(const attachment_view& v) {
    const auto& at = v.record;
    const auto& ad = v.addon;
    return {{"id", at.id},
            {"name", at.name},
            {"namespace", at.namespace_ ? json(*at.namespace_) : json(nullptr)},
            {"app", ref(v.app)},
            {"addon",
             {{"id", ad.record.id},
              {"name", ad.record.name},
              {"app", ref(ad.app)},
              {"plan", plan_json(ad.record.plan)}}},
            {"config_vars", v.config_vars},
            {"created_at", iso8601(at.created_at)},
            {"updated_at", iso8601(at.updated_at)},
            {"web_url", "https://data.heroku.com/datastores/" + ad.record.id},
            {"log_input_url", nullptr}};
}

json to_json(const release_view& v) {
    const auto& r = v.record;
    // Heroku streams a release command's output; ours is a placeholder nobody can fetch.
    const auto stream = r.release_phase ? json("https://release-output.heroku-emulator.invalid/"
                                               "streams/" +
                                               v.app.id + "/" + r.id)
                                        : json(nullptr);
    return {{"id", r.id},
            {"version", r.version},
            {"description", r.description},
            {"status", to_string(v.status)},
            {"current", v.current},
            {"app", ref(v.app)},
            {"created_at", iso8601(r.created_at)},
            {"updated_at", iso8601(std::max(r.created_at, r.settles_at))},
            {"user",
             {{"id", "00000000-0000-4000-8000-000000000001"},
              {"email", "owner@heroku-emulator.invalid"}}},
            {"slug", nullptr},
            {"addon_plan_names", json::array()},
            {"output_stream_url", stream},
            {"eligible_for_rollback", v.status == release_status::succeeded}};
}

json to_json(const wait_status& w) {
    return {{"waiting?", w.waiting}, {"error?", w.error}, {"message", w.message}};
}

json to_json(const database_view& v) {
    const auto& a = v.addon.record;
    json info = json::array(
        {info_item("Plan", a.plan.substr(a.plan.find(':') + 1)),
         info_item("Status", v.waiting ? "Preparing" : "Available"),
         info_item("Data Size", human_bytes(v.bytes)),
         info_item("Tables", std::to_string(v.tables)), info_item("PG Version", a.postgres_version),
         info_item("Connections", "0/500"), info_item("Connection Pooling", "Available"),
         info_item("Credentials", "1"), info_item("Fork/Follow", "Available"),
         info_item("Rollback", "earliest from " + iso8601(a.created_at)),
         info_item("Created", iso8601(a.created_at)), info_item("Maintenance", "not required")});
    return {{"id", a.id},
            {"addon_id", a.id},
            {"name", a.name},
            {"plan", a.plan.substr(a.plan.find(':') + 1)},
            {"created_at", iso8601(a.created_at)},
            {"postgres_version", a.postgres_version},
            {"num_bytes", v.bytes},
            {"num_tables", v.tables},
            {"num_connections", 0},
            {"resource_url", a.resource_url},
            {"waiting?", v.waiting},
            {"error?", false},
            {"following", nullptr},
            {"leader", nullptr},
            {"followers", json::array()},
            {"forked_from", nullptr},
            {"info", std::move(info)}};
}

json to_json(const transfer_view& v, bool verbose) {
    const auto& t = v.record;
    json out = {{"uuid", t.uuid},
                {"num", t.num},
                {"num_keep", 25},
                {"name", t.display_name()},
                {"app", ref(v.app)},
                {"from_name", t.from_name},
                {"from_type", t.from_type},
                {"from_url", t.from_url},
                {"to_name", t.to_name},
                {"to_type", t.to_type},
                {"to_url", t.to_url},
                {"options", json::object()},
                {"schedule", nullptr},
                {"source_bytes", t.source_bytes},
                {"processed_bytes", t.processed_bytes},
                {"succeeded", t.succeeded},
                {"warnings", t.warnings},
                {"created_at", iso8601(t.created_at)},
                {"started_at", opt_time(t.started_at)},
                {"finished_at", opt_time(t.finished_at)},
                {"canceled_at", opt_time(t.canceled_at)},
                {"updated_at", iso8601(t.updated_at)},
                {"deleted_at", opt_time(t.deleted_at)},
                {"purged_at", nullptr}};
    if (verbose) {
        json logs = json::array();
        for (const auto& l : t.logs) {
            logs.push_back(
                {{"created_at", iso8601(l.at)}, {"level", l.level}, {"message", l.message}});
        }
        out["logs"] = std::move(logs);
    }
    return out;
}

json to_json(const plan_info& p) {
    // Private and Shield plans live in Private Spaces only; prices are not emulated.
    const bool in_space = p.name.find(":private-") != std::string::npos ||
                          p.name.find(":shield-") != std::string::npos;
    const auto since = "2024-03-01T00:00:00Z";
    return {
        {"id", plan_id(p.name)},
        {"name", p.name},
        {"human_name", p.human_name},
        {"description", "Heroku Postgres " + p.human_name},
        {"default", p.is_default},
        {"state", "public"},
        {"visible", true},
        {"compliance", in_space && p.name.find(":shield-") != std::string::npos
                           ? json::array({"HIPAA", "PCI"})
                           : json(nullptr)},
        {"installable_inside_private_network", in_space},
        {"installable_outside_private_network", !in_space},
        {"space_default", false},
        {"price", {{"cents", 0}, {"contract", false}, {"unit", "month"}}},
        {"addon_service", {{"id", plan_id("heroku-postgresql")}, {"name", "heroku-postgresql"}}},
        {"created_at", since},
        {"updated_at", since}};
}

json to_json(const ledger_entry& e) {
    const auto ms = std::chrono::duration_cast<millis>(e.at.time_since_epoch()).count();
    return {{"seq", e.seq}, {"at", iso8601(e.at)},  {"at_ms", ms},       {"kind", e.kind},
            {"app", e.app}, {"subject", e.subject}, {"detail", e.detail}};
}

} // namespace pgshift::emulator
