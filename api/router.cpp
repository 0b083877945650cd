// Route table: (method, path pattern) -> handler, with 404 vs 405 answers.
#include "api/router.hpp"

#include "api/url.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace pgshift::http {

namespace {

// Splits an already-decoded path the same way decode_path_segments splits a raw one.
std::optional<std::vector<std::string>> split_decoded(std::string_view path) {
    if (path.empty() || path.front() != '/') {
        return std::nullopt;
    }
    std::vector<std::string> segments;
    if (path == "/") {
        return segments;
    }
    std::string_view rest = path.substr(1);
    for (auto slash = rest.find('/'); slash != std::string_view::npos; slash = rest.find('/')) {
        segments.emplace_back(rest.substr(0, slash));
        rest = rest.substr(slash + 1);
    }
    segments.emplace_back(rest);
    return segments;
}

bool is_param_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

template<class Segment>
bool matches(const std::vector<Segment>& pattern, const std::vector<std::string>& segments) {
    if (pattern.size() != segments.size()) {
        return false;
    }
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const bool ok = pattern[i].is_param ? !segments[i].empty() : pattern[i].text == segments[i];
        if (!ok) {
            return false;
        }
    }
    return true;
}

// True when a is more specific than b: at the first segment where they differ in kind,
// a has the literal.
template<class Segment>
bool more_specific(const std::vector<Segment>& a, const std::vector<Segment>& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (a[i].is_param != b[i].is_param) {
            return !a[i].is_param;
        }
    }
    return false;
}

} // namespace

void router::add(std::string_view method, std::string_view pattern, handler h) {
    if (method.empty() || !h) {
        throw std::invalid_argument("router: empty method or handler for " + std::string(pattern));
    }
    auto raw = split_decoded(pattern);
    if (!raw) {
        throw std::invalid_argument("router: pattern must start with '/': " + std::string(pattern));
    }
    route r{std::string(method), std::string(pattern), {}, std::move(h)};
    for (auto& text : *raw) {
        if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
            auto name = text.substr(1, text.size() - 2);
            if (!is_param_name(name)) {
                throw std::invalid_argument("router: bad parameter in " + r.pattern);
            }
            r.segments.push_back({std::move(name), true});
        } else if (text.empty() || text.find_first_of("{}") != std::string::npos) {
            throw std::invalid_argument("router: bad segment in " + r.pattern);
        } else {
            r.segments.push_back({std::move(text), false});
        }
    }
    for (const auto& other : routes_) {
        if (other.method == r.method && other.pattern == r.pattern) {
            throw std::invalid_argument("router: duplicate route " + r.method + " " + r.pattern);
        }
    }
    routes_.push_back(std::move(r));
}

const router::route* router::find(const std::vector<std::string>& segments,
                                  std::string_view method) const {
    const route* best = nullptr;
    for (const auto& r : routes_) {
        if (r.method == method && matches(r.segments, segments) &&
            (best == nullptr || more_specific(r.segments, best->segments))) {
            best = &r;
        }
    }
    return best;
}

response router::dispatch(request& req) const {
    req.params.clear();
    auto segments = req.target.empty() ? split_decoded(req.path)
                                       : decode_path_segments(split_target(req.target).path);
    if (!segments) {
        return response::error(404, "not_found", "no such resource");
    }
    const route* best = find(*segments, req.method);
    if (best == nullptr && req.method == "HEAD") {
        best = find(*segments, "GET");
    }
    if (best != nullptr) {
        for (std::size_t i = 0; i < segments->size(); ++i) {
            if (best->segments[i].is_param) {
                req.params.insert_or_assign(best->segments[i].text, std::move((*segments)[i]));
            }
        }
        return best->handle(req);
    }
    std::set<std::string> allowed;
    for (const auto& r : routes_) {
        if (matches(r.segments, *segments)) {
            allowed.insert(r.method);
        }
    }
    if (allowed.empty()) {
        return response::error(404, "not_found", "no such resource");
    }
    if (allowed.count("GET") != 0) {
        allowed.insert("HEAD");
    }
    std::string allow;
    for (const auto& m : allowed) {
        allow += allow.empty() ? m : ", " + m;
    }
    auto answer =
        response::error(405, "method_not_allowed", "method " + req.method + " not allowed here");
    answer.headers.push_back({"Allow", std::move(allow)});
    return answer;
}

} // namespace pgshift::http
