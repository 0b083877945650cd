// Internal to heroku/*.cpp: a call whose 2xx body is parsed into a struct at this edge.
#pragma once

#include "heroku/client.hpp"

#include <string>
#include <vector>

namespace pgshift::heroku::detail {

// Fills the status and request ids of a parse error from the answer that failed to parse.
inline api_error with_answer(api_error e, const api_answer& answer) {
    e.status = answer.status;
    e.request_id = answer.request_id;
    e.heroku_request_id = answer.heroku_request_id;
    return e;
}

template<class T, class Parse>
net::awaitable<outcome<T>> async_parsed(client& c, call_spec spec, Parse parse) {
    const bool idempotent = spec.idempotent;
    auto answer = co_await c.async_call(std::move(spec));
    if (!answer) {
        co_return std::move(answer.err());
    }
    auto parsed = parse(answer->body);
    if (!parsed) {
        auto e = with_answer(std::move(parsed.err()), *answer);
        // A 2xx to a POST took effect even though we cannot read what it made: the caller
        // must look it up (adopt), never send it again.
        e.outcome_unknown = !idempotent;
        co_return e;
    }
    co_return std::move(parsed.value());
}

// A GET list over every 206 page, the pages' arrays concatenated.
template<class T, class Parse>
net::awaitable<outcome<std::vector<T>>> async_parsed_list(client& c, call_spec spec, Parse parse) {
    auto pages = co_await c.async_call_pages(std::move(spec));
    if (!pages) {
        co_return std::move(pages.err());
    }
    std::vector<T> all;
    for (const auto& page : *pages) {
        auto parsed = parse(page.body);
        if (!parsed) {
            co_return with_answer(std::move(parsed.err()), page);
        }
        for (auto& item : parsed.value()) {
            all.push_back(std::move(item));
        }
    }
    co_return all;
}

inline net::awaitable<outcome_void> async_done(client& c, call_spec spec) {
    auto answer = co_await c.async_call(std::move(spec));
    if (!answer) {
        co_return std::move(answer.err());
    }
    co_return done_t{};
}

} // namespace pgshift::heroku::detail
