// Internal to heroku/*.cpp: a call whose 2xx body is parsed into a struct at this edge.
#pragma once

#include "heroku/client.hpp"
#include "heroku/json_fields.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgshift::heroku::detail {

// The parse runs inside the client's retry loop (call_spec::accept), so an answer that does
// not parse is retried like a 5xx (a GET), read back (a write with read_back), or reported
// as outcome_unknown (a POST: it took effect; the caller adopts what it made).
template<class T, class Parse>
net::awaitable<outcome<T>> async_parsed(client& c, call_spec spec, Parse parse) {
    std::optional<T> value; // lives in this frame, which outlives the call
    spec.accept = [&value, &parse](const api_answer& answer) -> std::optional<api_error> {
        auto parsed = parse(answer.body);
        if (!parsed) {
            return std::move(parsed.err());
        }
        value = std::move(parsed.value());
        return std::nullopt;
    };
    auto answer = co_await c.async_call(std::move(spec));
    if (!answer) {
        co_return std::move(answer.err());
    }
    co_return std::move(*value);
}

// Reads list pages. An empty list is a true answer (Heroku's lists are consistent), but a
// 206 page that is empty yet promises more is not: it is read again like any answer that
// does not parse.
template<class T, class Parse>
class list_reader {
public:
    explicit list_reader(Parse parse)
        : parse_(std::move(parse)) {}

    std::optional<api_error> operator()(const api_answer& answer) {
        auto parsed = parse_(answer.body);
        if (!parsed) {
            return std::move(parsed.err());
        }
        if (parsed->empty() && answer.next_range) {
            return invalid_response("an empty page with a Next-Range");
        }
        for (auto& item : parsed.value()) {
            items.push_back(std::move(item));
        }
        return std::nullopt;
    }

    std::vector<T> items; // every accepted page, in order

private:
    Parse parse_;
};

// One answer that is a JSON array (no paging), through list_reader's checks.
template<class T, class Parse>
net::awaitable<outcome<std::vector<T>>> async_parsed_array(client& c, call_spec spec, Parse parse) {
    list_reader<T, Parse> reader(std::move(parse));
    spec.accept = [&reader](const api_answer& answer) {
        return reader(answer);
    };
    auto answer = co_await c.async_call(std::move(spec));
    if (!answer) {
        co_return std::move(answer.err());
    }
    co_return std::move(reader.items);
}

// A GET list over every 206 page, the pages' arrays concatenated.
template<class T, class Parse>
net::awaitable<outcome<std::vector<T>>> async_parsed_list(client& c, call_spec spec, Parse parse) {
    list_reader<T, Parse> reader(std::move(parse));
    spec.accept = [&reader](const api_answer& answer) {
        return reader(answer);
    };
    auto pages = co_await c.async_call_pages(std::move(spec));
    if (!pages) {
        co_return std::move(pages.err());
    }
    co_return std::move(reader.items);
}

inline net::awaitable<outcome_void> async_done(client& c, call_spec spec) {
    auto answer = co_await c.async_call(std::move(spec));
    if (!answer) {
        co_return std::move(answer.err());
    }
    co_return done_t{};
}

} // namespace pgshift::heroku::detail
