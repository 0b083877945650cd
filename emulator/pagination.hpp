// Heroku list paging: the Range request header in, 206 + Next-Range out.
#pragma once

#include "api/http_types.hpp"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace pgshift::emulator {

// "id ..; max=200", "id ]<last>..; max=200", "version ..; max=5, order=desc".
struct range_spec {
    std::string key;
    std::optional<std::string> start; // first value to include (or after, if exclusive)
    bool exclusive = false;
    std::size_t max = 0; // 0 = the server's page size
    bool descending = false;
};

// nullopt when the header does not parse; callers then serve the first page, as a range
// they cannot read is better ignored than refused.
std::optional<range_spec> parse_range(std::string_view header);

// Sorts `items` (a JSON array of objects) by the range key, cuts one page out of it and
// answers 200 when that was everything, else 206 with Next-Range. `default_key` applies
// when there is no Range header; an unknown key also falls back to it.
http::response paged_reply(nlohmann::json items, const http::request& req,
                           std::string_view default_key, std::size_t page_size);

} // namespace pgshift::emulator
