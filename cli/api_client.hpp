// The control API as the CLI uses it: authenticated calls, error bodies, ID resolution.
#pragma once

#include "cli/endpoint.hpp"
#include "cli/http.hpp"
#include "cli/upgrade_view.hpp"

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace pgshift::cli {

struct client_options {
    api_endpoint endpoint;
    std::optional<std::string> token; // sent as "Authorization: Bearer <token>"
    std::chrono::milliseconds timeout{10'000};
};

class api_client {
public:
    explicit api_client(client_options options)
        : options_(std::move(options)) {}

    // Sends one call; returns a 2xx reply. Throws api_error for any other status (message
    // from the error body, or the status when the body is not one) and unreachable_error.
    http_reply call(http_call c);
    http_reply get(std::string target) { return call({"GET", std::move(target), {}, {}}); }

    // An upgrade id as given, or, for an app name, that app's newest upgrade. Throws as
    // call() does; api_error 404 when neither an upgrade nor an app's upgrade matches.
    std::string resolve(const std::string& id_or_app);
    // The newest upgrade of `app` (-a APP); api_error 404 when the app has none.
    std::string resolve_app(const std::string& app);

    const api_endpoint& endpoint() const noexcept { return options_.endpoint; }

private:
    client_options options_;
};

// Parses a 2xx body; throws api_error when it is not JSON.
nlohmann::json parse_body(const http_reply& reply);
// decode_upgrade(parse_body(reply)); throws api_error when it is not an upgrade.
upgrade_view upgrade_of(const http_reply& reply);

// Percent-encodes everything but unreserved characters (RFC 3986), for paths and queries.
std::string encode_component(std::string_view text);

// "/v1/upgrades/<id>" + suffix, the id encoded.
std::string upgrade_path(const std::string& id, std::string_view suffix = {});

} // namespace pgshift::cli
