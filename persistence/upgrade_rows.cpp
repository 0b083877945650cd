// Mapping between the upgrade record and its row in the upgrades table.
#include "persistence/upgrade_rows.hpp"

#include <sqlite3.h>

namespace pgshift::persistence::rows {
namespace {

// How each member type is stored: SQLite has integers, text and NULL. One overload per type
// the field list holds; a new type fails to compile until it has its pair.
void bind_value(sqlite::statement& st, int i, const std::string& v) {
    st.bind(i, std::string_view(v));
}
void bind_value(sqlite::statement& st, int i, std::int64_t v) {
    st.bind(i, v);
}
void bind_value(sqlite::statement& st, int i, int v) {
    st.bind(i, std::int64_t{v});
}
void bind_value(sqlite::statement& st, int i, bool v) {
    st.bind(i, std::int64_t{v ? 1 : 0});
}
void bind_value(sqlite::statement& st, int i, time_point v) {
    st.bind(i, to_ms(v));
}
void bind_value(sqlite::statement& st, int i, std::chrono::seconds v) {
    st.bind(i, std::int64_t{v.count()});
}
void bind_value(sqlite::statement& st, int i, state v) {
    st.bind(i, to_string(v));
}
void bind_value(sqlite::statement& st, int i, const std::vector<std::string>& v) {
    st.bind(i, join_extensions(v));
}
template<class T>
void bind_value(sqlite::statement& st, int i, const std::optional<T>& v) {
    if (v) {
        bind_value(st, i, *v);
    } else {
        st.bind(i, std::nullopt);
    }
}

void read_value(const sqlite::statement& st, int c, std::string& v) {
    v = st.text(c);
}
void read_value(const sqlite::statement& st, int c, std::int64_t& v) {
    v = st.int64(c);
}
void read_value(const sqlite::statement& st, int c, int& v) {
    v = static_cast<int>(st.int64(c));
}
void read_value(const sqlite::statement& st, int c, bool& v) {
    v = st.int64(c) != 0;
}
void read_value(const sqlite::statement& st, int c, time_point& v) {
    v = from_ms(st.int64(c));
}
void read_value(const sqlite::statement& st, int c, std::chrono::seconds& v) {
    v = std::chrono::seconds(st.int64(c));
}
void read_value(const sqlite::statement& st, int c, state& v) {
    auto parsed = parse_state(st.text(c));
    if (!parsed) {
        throw sqlite::error(SQLITE_CORRUPT, "unknown state '" + st.text(c) + "'");
    }
    v = *parsed;
}
void read_value(const sqlite::statement& st, int c, std::vector<std::string>& v) {
    v = split_extensions(st.text(c));
}
template<class T>
void read_value(const sqlite::statement& st, int c, std::optional<T>& v) {
    if (st.is_null(c)) {
        v.reset();
        return;
    }
    T value{};
    read_value(st, c, value);
    v = std::move(value);
}

bool is_updated(field_kind kind) {
    switch (kind) {
    case field_kind::key:
    case field_kind::request:
        return false;
    case field_kind::status:
    case field_kind::step_data:
        return true;
    }
    return false;
}

std::string build_columns() {
    std::string out;
    for_each_upgrade_field([&](const field_info& f, auto) {
        out += out.empty() ? "" : ", ";
        out += f.name;
    });
    return out;
}

std::string build_insert() {
    std::string columns;
    std::string values;
    for_each_upgrade_field([&](const field_info& f, auto) {
        columns += columns.empty() ? "" : ", ";
        columns += f.name;
        values += values.empty() ? ":" : ", :";
        values += f.name;
    });
    return "INSERT INTO upgrades (" + columns + ") VALUES (" + values + ")";
}

std::string build_update() {
    std::string set;
    for_each_upgrade_field([&](const field_info& f, auto) {
        if (is_updated(f.kind)) {
            set += std::string(f.name) + "=:" + std::string(f.name) + ", ";
        }
    });
    return "UPDATE upgrades SET " + set + "version=:next_version WHERE id=:id AND version=:version";
}

// Binds every field `wanted` accepts to its :name parameter.
template<class Wanted>
void bind_fields(sqlite::statement& st, const upgrade& u, Wanted wanted) {
    for_each_upgrade_field([&](const field_info& f, auto get) {
        if (wanted(f.kind)) {
            bind_value(st, st.parameter(":" + std::string(f.name)), get(u));
        }
    });
}

} // namespace

std::string_view upgrade_columns() {
    static const std::string columns = build_columns();
    return columns;
}

std::string_view insert_sql() {
    static const std::string sql = build_insert();
    return sql;
}

std::string_view update_sql() {
    static const std::string sql = build_update();
    return sql;
}

void bind_insert(sqlite::statement& st, const upgrade& u) {
    bind_fields(st, u, [](field_kind) { return true; });
}

void bind_update(sqlite::statement& st, const upgrade& u, std::int64_t from_version,
                 std::int64_t to_version) {
    bind_fields(st, u, is_updated);
    st.bind(st.parameter(":id"), u.id);
    st.bind(st.parameter(":version"), from_version);
    st.bind(st.parameter(":next_version"), to_version);
}

upgrade read_upgrade(const sqlite::statement& st) {
    upgrade u;
    int column = 0;
    try {
        for_each_upgrade_field(
            [&](const field_info&, auto get) { read_value(st, column++, get(u)); });
    } catch (const sqlite::error& e) {
        // The id is the first column: a bad spelling further on names its upgrade.
        throw sqlite::error(e.code(), "upgrade " + u.id + " has " + e.what());
    }
    return u;
}

std::string join_extensions(const std::vector<std::string>& names) {
    std::string joined;
    for (const auto& n : names) {
        joined += joined.empty() ? n : "," + n;
    }
    return joined;
}

std::vector<std::string> split_extensions(std::string_view joined) {
    std::vector<std::string> names;
    while (!joined.empty()) {
        auto comma = joined.find(',');
        names.emplace_back(joined.substr(0, comma));
        joined = comma == std::string_view::npos ? std::string_view{} : joined.substr(comma + 1);
    }
    return names;
}

std::int64_t to_ms(time_point t) noexcept {
    return t.time_since_epoch().count();
}
time_point from_ms(std::int64_t ms) noexcept {
    return time_point(std::chrono::milliseconds(ms));
}

} // namespace pgshift::persistence::rows
