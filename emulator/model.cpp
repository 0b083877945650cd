// Spellings of add-on and release states, and how they advance with time.
#include "emulator/model.hpp"

#include "emulator/outcome.hpp"

namespace pgshift::emulator {

const char* to_string(addon_state s) noexcept {
    switch (s) {
    case addon_state::provisioning:
        return "provisioning";
    case addon_state::provisioned:
        return "provisioned";
    case addon_state::deprovisioning:
        return "deprovisioning";
    case addon_state::deprovisioned:
        return "deprovisioned";
    }
    return "unknown";
}

const char* to_string(release_status s) noexcept {
    switch (s) {
    case release_status::pending:
        return "pending";
    case release_status::succeeded:
        return "succeeded";
    case release_status::failed:
        return "failed";
    }
    return "unknown";
}

addon_state addon::state_at(time_point now) const noexcept {
    if (destroyed_at) {
        return addon_state::deprovisioned;
    }
    if (now < ready_at) {
        return addon_state::provisioning;
    }
    if (provisioning_fails) {
        return addon_state::deprovisioned;
    }
    // A real database may take longer to create than the configured delay.
    return database_at ? addon_state::provisioned : addon_state::provisioning;
}

release_status release::status_at(time_point now) const noexcept {
    if (now < settles_at) {
        return release_status::pending;
    }
    return fails ? release_status::failed : release_status::succeeded;
}

api_error not_found(std::string resource, std::string message) {
    return api_error{404, "not_found", std::move(message), std::move(resource)};
}

api_error invalid(std::string message) {
    return api_error{422, "invalid_params", std::move(message), {}};
}

} // namespace pgshift::emulator
