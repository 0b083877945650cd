// A pure, in-memory Heroku for the planner tests.
#include "tests/plans/world.hpp"

#include <algorithm>
#include <stdexcept>

namespace pgshift::testing {
namespace {

namespace rq = plan::rq;
using heroku::outcome;

template<class... F>
struct overloaded : F... {
    using F::operator()...;
};
template<class... F>
overloaded(F...) -> overloaded<F...>;

heroku::api_error not_found() {
    return error_of(404, "not_found");
}

} // namespace

heroku::api_error error_of(int status, std::string id) {
    heroku::api_error e;
    e.status = status;
    e.id = std::move(id);
    e.message = "the world says " + std::to_string(status);
    return e;
}

heroku::api_error garbage() {
    return error_of(200, heroku::error_ids::invalid_response);
}

world::world() {
    formation = {{"web", 1, "Basic"}, {"worker", 2, "Basic"}, {"release", 0, "Basic"}};
    heroku::addon src{"src-id",
                      "postgresql-old-1",
                      "provisioned",
                      {"app-id", app},
                      "heroku-postgresql:essential-0",
                      {"DATABASE_URL"}};
    addons[src.id] = src;
    versions[src.id] = "15.4";
    attachments.push_back({"att-db",
                           "DATABASE",
                           std::nullopt,
                           {src.id, src.name, {"app-id", app}, ""},
                           heroku::app_ref{"app-id", app}});
    vars["DATABASE_URL"] = "postgres://u:p@src-id/db";
    releases.push_back(
        {"rel-1", 1, "succeeded", "Initial release", std::nullopt, std::nullopt, true});
}

std::any world::answer(const plan::request& r) {
    requests.push_back(std::visit([](const auto& q) { return std::string(typeid(q).name()); }, r));
    requested_at.push_back(now);
    for (auto& rel : releases) {
        if (auto end = release_ends.find(rel.id); end != release_ends.end() && now >= end->second) {
            rel.status = release_status;
            release_ends.erase(end);
        }
    }
    std::optional<heroku::api_error> injected = fault ? fault(r) : std::nullopt;
    auto fail_or = [&](auto ok) -> decltype(ok) {
        if (injected) {
            return decltype(ok)(*injected);
        }
        return ok;
    };
    auto find_addon = [&](const std::string& key) -> heroku::addon* {
        for (auto& [id, a] : addons) {
            if (id == key || a.name == key) {
                return &a;
            }
        }
        return nullptr;
    };
    auto transfer_now = [&](heroku::transfer t) {
        const auto since_created = now - *t.created_at;
        if (since_created < transfer_pending) {
            return t; // pending: not started, nothing processed, no size yet
        }
        const auto elapsed = since_created - transfer_pending;
        const auto transfer_takes = t.to_type == "pg_restore"
                                        ? this->restore_takes.value_or(this->transfer_takes)
                                        : this->transfer_takes;
        const bool done = !transfer_stalls && elapsed >= transfer_takes + transfer_tail;
        t.started_at = *t.created_at + transfer_pending;
        t.source_bytes = transfer_bytes;
        t.processed_bytes = transfer_stalls ? 0
                            : elapsed >= transfer_takes
                                ? transfer_bytes
                                : transfer_bytes * elapsed.count() /
                                      std::max<std::int64_t>(1, transfer_takes.count());
        if (done) {
            t.finished_at = *t.started_at + transfer_takes + transfer_tail;
            t.succeeded = !transfer_fails;
            if (transfer_fails) {
                heroku::transfer_log line;
                line.level = "error";
                line.message = "pg_restore: out of disk";
                t.logs.push_back(line);
            }
        }
        return t;
    };
    auto new_transfer = [&](std::string from, std::string from_type, std::string to,
                            std::string to_type) {
        heroku::transfer t;
        t.num = static_cast<std::int64_t>(transfers.size()) + 1;
        t.uuid = "xfer-" + std::to_string(t.num);
        t.from_name = std::move(from);
        t.from_type = std::move(from_type);
        t.to_name = std::move(to);
        t.to_type = std::move(to_type);
        t.to_url = "https://s3/backup-" + std::to_string(t.num);
        t.created_at = std::chrono::floor<std::chrono::seconds>(now);
        transfers.push_back(t);
        return t;
    };
    auto attachment_name_of = [&](const std::string& addon_id) {
        for (const auto& a : attachments) {
            if (a.addon.id == addon_id && !a.name_space) {
                return a.name;
            }
        }
        return std::string("?");
    };
    return std::visit(
        overloaded{
            [&](const rq::get_app&) -> std::any {
                return fail_or(
                    outcome<heroku::app_info>(heroku::app_info{"app-id", app, maintenance}));
            },
            [&](const rq::set_maintenance& q) -> std::any {
                if (!injected) {
                    maintenance = q.on;
                    writes.push_back(q.on ? "maintenance on" : "maintenance off");
                }
                return fail_or(
                    outcome<heroku::app_info>(heroku::app_info{"app-id", app, maintenance}));
            },
            [&](const rq::list_formation&) -> std::any {
                return fail_or(outcome<std::vector<heroku::formation_entry>>(formation));
            },
            [&](const rq::scale_formation& q) -> std::any {
                if (!injected) {
                    std::string w = "scale";
                    for (const auto& u : q.updates) {
                        for (auto& e : formation) {
                            if (e.type == u.type) {
                                e.quantity = u.quantity;
                            }
                        }
                        w += " " + u.type + "=" + std::to_string(u.quantity);
                    }
                    writes.push_back(w);
                }
                return fail_or(outcome<std::vector<heroku::formation_entry>>(formation));
            },
            [&](const rq::list_attachments&) -> std::any {
                return fail_or(outcome<std::vector<heroku::attachment>>(attachments));
            },
            [&](const rq::create_attachment& q) -> std::any {
                heroku::addon* a = find_addon(q.body.addon_name);
                if (injected || a == nullptr) {
                    return outcome<heroku::attachment>(injected ? *injected : not_found());
                }
                std::string name =
                    q.body.name.value_or("HEROKU_POSTGRESQL_" + std::to_string(attachments.size()));
                std::erase_if(attachments, [&](const heroku::attachment& x) {
                    return x.name == name && x.name_space == q.body.name_space;
                });
                heroku::attachment made{"att-" + std::to_string(attachments.size() + 10),
                                        name,
                                        q.body.name_space,
                                        {a->id, a->name, a->app, ""},
                                        heroku::app_ref{"app-id", app}};
                attachments.push_back(made);
                if (!q.body.name_space) {
                    vars[name + "_URL"] = "postgres://u:p@" + a->id + "/db";
                }
                writes.push_back("attach " + a->name + " as " + name);
                if (name == "DATABASE") {
                    const std::string id = "rel-" + std::to_string(releases.size() + 1);
                    const bool pending = release_takes.count() > 0;
                    releases.push_back({id, static_cast<std::int64_t>(releases.size()) + 1,
                                        pending ? "pending" : release_status,
                                        "Attach DATABASE (@ref:" + a->name + ")", std::nullopt,
                                        std::nullopt, true});
                    if (pending) {
                        release_ends[id] = now + release_takes;
                    }
                }
                return outcome<heroku::attachment>(made);
            },
            [&](const rq::get_addon& q) -> std::any {
                heroku::addon* a = find_addon(q.addon);
                if (injected || a == nullptr) {
                    return outcome<heroku::addon>(injected ? *injected : not_found());
                }
                if (a->state == "provisioning" && ++addon_gets[a->id] > provisioning_gets) {
                    a->state = provision_fails ? "deprovisioned" : "provisioned";
                }
                if (a->state == "deprovisioning") {
                    a->state = "deprovisioned";
                }
                return outcome<heroku::addon>(*a);
            },
            [&](const rq::create_addon& q) -> std::any {
                if (injected) {
                    return outcome<heroku::addon>(*injected);
                }
                heroku::addon a{"tgt-id",       q.body.name.value_or("?"),
                                "provisioning", {"app-id", app},
                                q.body.plan,    {}};
                addons[a.id] = a;
                versions[a.id] = q.body.version.value_or("16") + ".1";
                attachments.push_back({"att-tgt",
                                       "HEROKU_POSTGRESQL_PINK",
                                       std::nullopt,
                                       {a.id, a.name, a.app, ""},
                                       heroku::app_ref{"app-id", app}});
                vars["HEROKU_POSTGRESQL_PINK_URL"] = "postgres://u:p@" + a.id + "/db";
                writes.push_back("create_addon " + a.name);
                return outcome<heroku::addon>(a);
            },
            [&](const rq::destroy_addon& q) -> std::any {
                heroku::addon* a = find_addon(q.addon_id);
                if (injected || a == nullptr) {
                    return outcome<heroku::addon>(injected ? *injected : not_found());
                }
                a->state = "deprovisioning";
                writes.push_back("destroy " + a->name);
                return outcome<heroku::addon>(*a);
            },
            [&](const rq::get_config_vars&) -> std::any {
                return fail_or(outcome<heroku::config_vars>(vars));
            },
            [&](const rq::list_releases& q) -> std::any {
                std::vector<heroku::release> out;
                if (q.after) {
                    for (const auto& r : releases) {
                        if (r.version > *q.after && static_cast<int>(out.size()) < q.max) {
                            out.push_back(r);
                        }
                    }
                } else {
                    for (auto it = releases.rbegin();
                         it != releases.rend() && static_cast<int>(out.size()) < q.max; ++it) {
                        out.push_back(*it);
                    }
                }
                return fail_or(outcome<std::vector<heroku::release>>(out));
            },
            [&](const rq::get_release& q) -> std::any {
                auto it = std::find_if(releases.begin(), releases.end(),
                                       [&](const auto& r) { return r.id == q.id; });
                if (injected || it == releases.end()) {
                    return outcome<heroku::release>(injected ? *injected : not_found());
                }
                return outcome<heroku::release>(*it);
            },
            [&](const rq::wait_status& q) -> std::any {
                if (!addons.count(q.addon_id)) {
                    return outcome<heroku::wait_status>(not_found());
                }
                return fail_or(outcome<heroku::wait_status>(
                    heroku::wait_status{false, false, "Available", std::nullopt}));
            },
            [&](const rq::database_info& q) -> std::any {
                if (!addons.count(q.addon_id)) {
                    return outcome<heroku::database_info>(not_found());
                }
                heroku::database_info info;
                const auto& plan = addons[q.addon_id].plan_name;
                info.plan = plan.substr(plan.find(':') + 1);
                info.postgres_version = versions[q.addon_id];
                return fail_or(outcome<heroku::database_info>(info));
            },
            [&](const rq::capture_backup& q) -> std::any {
                if (injected) {
                    return outcome<heroku::transfer>(*injected);
                }
                writes.push_back("capture");
                return outcome<heroku::transfer>(transfer_now(
                    new_transfer(attachment_name_of(q.addon_id), "pg_dump", "BACKUP", "gof3r")));
            },
            [&](const rq::create_restore& q) -> std::any {
                if (injected) {
                    return outcome<heroku::transfer>(*injected);
                }
                writes.push_back("restore");
                return outcome<heroku::transfer>(transfer_now(
                    new_transfer("BACKUP", "gof3r", attachment_name_of(q.addon_id), "pg_restore")));
            },
            [&](const rq::get_transfer& q) -> std::any {
                auto it = std::find_if(transfers.begin(), transfers.end(),
                                       [&](const auto& t) { return t.uuid == q.uuid; });
                if (injected || it == transfers.end()) {
                    return outcome<heroku::transfer>(injected ? *injected : not_found());
                }
                return outcome<heroku::transfer>(transfer_now(*it));
            },
            [&](const rq::list_transfers&) -> std::any {
                std::vector<heroku::transfer> out;
                for (const auto& t : transfers) {
                    out.push_back(transfer_now(t));
                }
                return fail_or(outcome<std::vector<heroku::transfer>>(out));
            },
            [&](const rq::cancel_transfer&) -> std::any {
                if (!injected) {
                    writes.push_back("cancel transfer");
                }
                return fail_or(heroku::outcome_void(heroku::done_t{}));
            },
            [&](const rq::compare_tables&) -> std::any {
                return plan::table_counts{true, tables_match,
                                          tables_match ? "3 tables, same row counts"
                                                       : "orders: 10 vs 9 rows"};
            },
            [&](const rq::read_extensions&) -> std::any {
                return plan::extension_list{true, {"hstore"}, ""};
            },
        },
        r);
}

plan_run drive(plan::task<plan::step_outcome> t, world& w, plan::step_env& env, int limit) {
    plan::runner<plan::step_outcome> run(std::move(t));
    plan_run out;
    std::any answer;
    for (; out.effects < limit; ++out.effects) {
        env.now = w.now;
        const plan::effect* e = run.resume(std::move(answer));
        answer.reset();
        if (e == nullptr) {
            out.end = run.result();
            return out;
        }
        if (const auto* c = std::get_if<plan::commit_effect>(e)) {
            out.commits.push_back(*c);
        } else if (const auto* wait = std::get_if<plan::wait_effect>(e)) {
            w.now += wait->delay;
        } else {
            answer = w.answer(std::get<plan::call_effect>(*e).req);
        }
    }
    throw std::runtime_error("the plan did not end after " + std::to_string(limit) + " effects");
}

upgrade upgrade_in(state s, const world& w) {
    upgrade u;
    u.id = "0d9f2b8e-1111-4222-8333-944445555666";
    u.request.app = w.app;
    u.request.plan = "heroku-postgresql:standard-0";
    u.current = s;
    u.version = 5;
    u.step_started_at = w.now;
    u.source_addon_id = "src-id";
    u.source_addon_name = "postgresql-old-1";
    u.source_plan = "heroku-postgresql:essential-0";
    u.source_app = w.app;
    u.source_version = "15.4";
    u.target_version = "15";
    return u;
}

} // namespace pgshift::testing
