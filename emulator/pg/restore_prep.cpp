// restore_prep: the dump's contents minus its extensions, and the extensions a restore asked for.
#include "emulator/pg/restore_prep.hpp"

#include "emulator/pg/tool_pump.hpp"

#include <fstream>
#include <regex>
#include <stdexcept>

namespace pgshift::emulator::pg_detail {

namespace {

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += (out.empty() ? "" : "; ") + l;
    }
    return out;
}

void write_filtered_list(transfer_state& state, const restore_prep& prep) {
    spawn_request spawn{prep.pg_restore,
                        {"--list", "--file=" + prep.list_file.string(), prep.dump.string()},
                        {"LC_ALL=C"},
                        false};
    auto listed = pump_tool(state, pump_request{spawn, {}, -1, nullptr, nullptr});
    if (listed.canceled || listed.wait_status != 0) {
        throw std::runtime_error("could not list the backup: pg_restore " +
                                 describe_status(listed.wait_status) + " " + joined(listed.logs));
    }
    std::ifstream in(prep.list_file);
    std::vector<std::string> kept;
    for (std::string line; std::getline(in, line);) {
        if (!is_extension_entry(line)) {
            kept.push_back(std::move(line));
        }
    }
    in.close();
    std::ofstream out(prep.list_file, std::ios::trunc);
    for (const auto& line : kept) {
        out << line << '\n';
    }
    if (!out.flush()) {
        throw std::runtime_error("could not write the restore list " + prep.list_file.string());
    }
}

void create_extension(pg_connection& admin, const std::string& requested) {
    const auto dot = requested.find('.');
    std::string sql = "CREATE EXTENSION IF NOT EXISTS ";
    if (dot == std::string::npos) {
        sql += admin.identifier(requested);
    } else {
        const auto schema = admin.identifier(requested.substr(0, dot));
        admin.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
        sql += admin.identifier(requested.substr(dot + 1)) + " SCHEMA " + schema;
    }
    admin.exec(sql);
}

} // namespace

bool is_extension_entry(std::string_view toc_line) {
    // "2; 3079 16386 EXTENSION - hstore" and "3350; 0 0 COMMENT - EXTENSION hstore"
    static const std::regex entry(R"(^\s*\d+;\s+\d+\s+\d+\s+(EXTENSION|COMMENT - EXTENSION)\s)");
    return std::regex_search(toc_line.begin(), toc_line.end(), entry);
}

std::vector<std::string> prepare_restore(transfer_state& state, const restore_prep& prep) {
    write_filtered_list(state, prep);
    std::vector<std::string> logs{
        "extensions in the backup are not restored; requested: " +
        (prep.extensions.empty() ? std::string("none") : joined(prep.extensions))};
    if (prep.extensions.empty()) {
        return logs;
    }
    pg_connection admin(prep.admin);
    for (const auto& name : prep.extensions) {
        try {
            create_extension(admin, name);
        } catch (const pg_error& e) {
            std::string why = e.what();
            while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) {
                why.pop_back(); // libpq ends its messages with a newline
            }
            throw std::runtime_error("could not create extension " + name + ": " + why);
        }
        logs.push_back("created extension " + name);
    }
    return logs;
}

} // namespace pgshift::emulator::pg_detail
