// Heroku list paging: the Range request header in, 206 + Next-Range out.
#include "emulator/pagination.hpp"

#include <algorithm>
#include <charconv>

namespace pgshift::emulator {

namespace {

constexpr std::size_t max_page = 1000;

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool apply_option(range_spec& r, std::string_view opt) {
    opt = trim(opt);
    if (opt.empty()) {
        return true;
    }
    if (opt.rfind("max=", 0) == 0) {
        std::size_t n = 0;
        const auto v = opt.substr(4);
        const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        return ec == std::errc{} && p == v.data() + v.size() && n > 0 && (r.max = n, true);
    }
    if (opt == "order=desc" || opt == "order=asc") {
        r.descending = opt == "order=desc";
        return true;
    }
    return false;
}

// Orders two JSON scalars: numbers numerically, everything else by its text.
bool less(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.is_number() && b.is_number()) {
        return a.get<double>() < b.get<double>();
    }
    const auto text = [](const nlohmann::json& j) {
        return j.is_string() ? j.get<std::string>() : j.dump();
    };
    return text(a) < text(b);
}

nlohmann::json as_key(const nlohmann::json& sample, const std::string& start) {
    if (sample.is_number()) {
        auto j = nlohmann::json::parse(start, nullptr, false);
        return j.is_discarded() ? nlohmann::json(start) : j;
    }
    return start;
}

} // namespace

std::optional<range_spec> parse_range(std::string_view header) {
    header = trim(header);
    const auto dots = header.find("..");
    const auto space = header.find(' ');
    if (dots == std::string_view::npos || space == std::string_view::npos || space > dots) {
        return std::nullopt;
    }
    range_spec r;
    r.key = std::string(header.substr(0, space));
    auto start = trim(header.substr(space, dots - space));
    if (!start.empty() && start.front() == ']') {
        r.exclusive = true;
        start.remove_prefix(1);
    }
    if (start.size() >= 2 && start.front() == '"' && start.back() == '"') {
        start = start.substr(1, start.size() - 2);
    }
    if (!start.empty()) {
        r.start = std::string(start);
    }
    auto rest = header.substr(dots + 2);
    const auto semi = rest.find(';');
    if (semi == std::string_view::npos) {
        return r;
    }
    rest = rest.substr(semi + 1);
    while (!rest.empty()) {
        const auto cut = rest.find_first_of(",;");
        if (!apply_option(r, rest.substr(0, cut))) {
            return std::nullopt;
        }
        rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 1);
    }
    return r;
}

http::response paged_reply(nlohmann::json items, const http::request& req,
                           std::string_view default_key, std::size_t page_size) {
    range_spec r{std::string(default_key), std::nullopt, false, 0, false};
    if (auto h = req.header_value("Range")) {
        r = parse_range(*h).value_or(r);
    }
    if (!items.empty() && !items.front().contains(r.key)) {
        r = range_spec{std::string(default_key), std::nullopt, false, r.max, r.descending};
    }
    const std::size_t max = std::min(r.max ? r.max : page_size, max_page);
    auto& arr = items.get_ref<nlohmann::json::array_t&>();
    std::stable_sort(arr.begin(), arr.end(), [&](const auto& a, const auto& b) {
        return r.descending ? less(b[r.key], a[r.key]) : less(a[r.key], b[r.key]);
    });
    auto first = arr.begin();
    if (r.start && !arr.empty()) {
        const auto start = as_key(arr.front()[r.key], *r.start);
        // Skip what comes before the start in the requested order (and the start itself
        // when exclusive, as in Next-Range's "]last..").
        first = std::find_if(arr.begin(), arr.end(), [&](const auto& item) {
            const auto& v = item[r.key];
            const bool before = r.descending ? less(start, v) : less(v, start);
            const bool equal = !less(v, start) && !less(start, v);
            return !before && !(equal && r.exclusive);
        });
    }
    const auto left = static_cast<std::size_t>(arr.end() - first);
    nlohmann::json page(nlohmann::json::value_t::array);
    page.get_ref<nlohmann::json::array_t&>().assign(first, first + std::min(left, max));
    if (left <= max) {
        return http::response::json(200, page.dump());
    }
    const auto& last = page.back()[r.key];
    const auto last_text = last.is_string() ? last.get<std::string>() : last.dump();
    auto res = http::response::json(206, page.dump());
    res.with_header("Next-Range", r.key + " ]" + last_text + "..; max=" + std::to_string(max) +
                                      (r.descending ? ", order=desc" : ""));
    return res;
}

} // namespace pgshift::emulator
