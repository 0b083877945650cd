// Stable spellings of states and event types: SQLite and the API hold these strings.
#include "statemachine/event_type.hpp"
#include "statemachine/state.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>

namespace pgshift {
namespace {

TEST(state, spellings_are_the_stored_contract) {
    // Written out by hand on purpose: renaming a state must break this test, since files
    // and API clients in the field hold the old spelling.
    const char* expected[] = {
        "pending",         "provisioning", "awaiting_window",     "entering_maintenance",
        "scaling_down",    "capturing",    "restoring",           "verifying",
        "promoting",       "scaling_up",   "leaving_maintenance", "confirming",
        "removing_source", "rolling_back", "succeeded",           "failed",
        "cancelled",       "rolled_back"};
    ASSERT_EQ(std::size(expected), all_states.size());
    for (std::size_t i = 0; i < all_states.size(); ++i) {
        EXPECT_EQ(to_string(all_states[i]), expected[i]);
    }
}

TEST(state, every_state_round_trips) {
    std::set<std::string_view> seen;
    for (state s : all_states) {
        EXPECT_EQ(parse_state(to_string(s)), s);
        EXPECT_TRUE(seen.insert(to_string(s)).second) << "duplicate spelling " << to_string(s);
    }
}

TEST(state, unknown_spellings_parse_to_nothing) {
    EXPECT_EQ(parse_state(""), std::nullopt);
    EXPECT_EQ(parse_state("Pending"), std::nullopt);
    EXPECT_EQ(parse_state("pending "), std::nullopt);
    EXPECT_EQ(parse_state("unknown"), std::nullopt);
}

TEST(state, exactly_four_states_are_terminal) {
    std::set<state> terminal;
    for (state s : all_states) {
        if (is_terminal(s)) {
            terminal.insert(s);
        }
    }
    EXPECT_EQ(terminal, (std::set<state>{state::succeeded, state::failed, state::cancelled,
                                         state::rolled_back}));
}

TEST(event_type, every_type_round_trips_uniquely) {
    std::set<std::string_view> seen;
    for (event_type t : all_event_types) {
        EXPECT_EQ(parse_event_type(to_string(t)), t);
        EXPECT_NE(to_string(t), "unknown");
        EXPECT_TRUE(seen.insert(to_string(t)).second);
    }
    EXPECT_EQ(parse_event_type("step_complete"), std::nullopt);
}

// Kinds that were never written are gone: their spellings read as unknown, like any other.
TEST(event_type, removed_kinds_are_refused_and_effect_failed_is_known) {
    EXPECT_EQ(parse_event_type("step_started"), std::nullopt);
    EXPECT_EQ(parse_event_type("compensation_started"), std::nullopt);
    EXPECT_EQ(parse_event_type("effect_failed"), event_type::effect_failed);
    EXPECT_EQ(to_string(event_type::effect_failed), "effect_failed");
}

} // namespace
} // namespace pgshift
