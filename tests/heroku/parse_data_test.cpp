// Data API answer parsers: wait_status, database info, transfers.
#include "heroku/parse.hpp"

#include <gtest/gtest.h>

namespace pgshift::heroku {
namespace {

using namespace std::chrono_literals;

// 2024-01-01T00:00:00Z, the day the sample transfers were made.
const time_point new_year{std::chrono::sys_days{std::chrono::year{2024} / 1 / 1}};

template<class T>
void expect_invalid(const outcome<T>& r, const std::string& field) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().id, "invalid_response");
    EXPECT_NE(r.err().message.find(field), std::string::npos) << r.err().message;
}

TEST(parse_wait_status, fields) {
    const auto r =
        parse_wait_status(R"({"waiting?":true,"error?":false,"message":"pending","step":"1/3"})");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->waiting);
    EXPECT_FALSE(r->error);
    EXPECT_EQ(r->message, "pending");
    EXPECT_EQ(r->step.value_or(""), "1/3");
    const auto minimal = parse_wait_status(R"({"waiting?":false})");
    ASSERT_TRUE(minimal.ok());
    EXPECT_FALSE(minimal->waiting);
    EXPECT_FALSE(minimal->step);
    // Never default "waiting?" to false: that would mean "ready".
    expect_invalid(parse_wait_status(R"({"message":"available"})"), "\"waiting?\" is missing");
    expect_invalid(parse_wait_status(R"({"waiting?":"no"})"), "\"waiting?\" must be a boolean");
    expect_invalid(parse_wait_status(R"({"waiting?":false,"error?":1})"),
                   "\"error?\" must be a boolean");
}

TEST(parse_database_info, fields_and_info_items) {
    const auto r = parse_database_info(R"({
        "name":"postgresql-curved-12345","plan":"standard-2","postgres_version":"16.4",
        "resource_url":"postgres://u:p@h:5432/d","num_bytes":123456,"waiting?":false,
        "following":null,
        "info":[{"name":"Plan","values":["Standard 2"]},{"name":"PG Version","values":["16.4"]},
                {"name":"Tables","values":[12]},{"name":"Followers","values":[]}]})");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->plan, "standard-2");
    EXPECT_EQ(r->postgres_version.value_or(""), "16.4");
    EXPECT_EQ(r->num_bytes, 123456);
    EXPECT_EQ(r->waiting, std::optional<bool>(false));
    EXPECT_FALSE(r->following);
    ASSERT_EQ(r->info.size(), 4u);
    EXPECT_EQ(r->info[1].values.at(0), "16.4");
    EXPECT_EQ(r->info[2].values.at(0), "12");
    expect_invalid(parse_database_info(R"({"plan":"p","resource_url":"u",
        "info":[{"name":"Plan","values":[{"x":1}]}]})"),
                   "\"info[0].values[0]\" must be a string");
    expect_invalid(parse_database_info(R"({"plan":"p","resource_url":"u",
        "info":[{"values":[]}]})"),
                   "\"info[0].name\" is missing");
    expect_invalid(parse_database_info(R"({"plan":"p","info":[]})"), "\"resource_url\" is missing");
    expect_invalid(parse_database_info(R"({"plan":"p","resource_url":"u","info":{}})"),
                   "\"info\" must be an array");
}

constexpr const char* finished_backup = R"({
    "uuid":"0b0c","num":7,"num_keep":5,"from_name":"DATABASE","from_type":"pg_dump",
    "from_url":"postgres://secret","to_name":"BACKUP","to_type":"gof3r",
    "to_url":"https://s3/b007","options":{},"source_bytes":1000,"processed_bytes":900,
    "succeeded":true,"warnings":0,"created_at":"2024-01-01 00:00:00 +0000",
    "started_at":"2024-01-01 00:00:01 +0000","finished_at":"2024-01-01 00:01:00 +0000",
    "canceled_at":null,"updated_at":"2024-01-01 00:01:00 +0000","deleted_at":null,
    "logs":[{"created_at":"2024-01-01 00:00:01 +0000","level":"info","message":"starting"}]})";

TEST(parse_transfer, finished_backup) {
    const auto r = parse_transfer(finished_backup);
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->uuid, "0b0c");
    EXPECT_EQ(r->num, 7);
    EXPECT_EQ(r->from_type.value_or(""), "pg_dump");
    EXPECT_EQ(r->to_type.value_or(""), "gof3r");
    EXPECT_EQ(r->to_url.value_or(""), "https://s3/b007");
    EXPECT_EQ(r->source_bytes, 1000);
    EXPECT_EQ(r->processed_bytes, 900);
    EXPECT_EQ(r->succeeded, true);
    EXPECT_EQ(r->created_at, new_year);
    EXPECT_EQ(r->started_at, new_year + 1s);
    EXPECT_EQ(r->finished_at, new_year + 60s);
    EXPECT_FALSE(r->canceled_at);
    EXPECT_EQ(r->updated_at, new_year + 60s);
    ASSERT_EQ(r->logs.size(), 1u);
    EXPECT_EQ(r->logs[0].created_at, new_year + 1s);
    EXPECT_EQ(r->logs[0].message, "starting");
}

// What the emulator and the Platform API write ("2024-01-01T00:00:00Z") reads the same.
TEST(parse_transfer, rfc3339_timestamps) {
    const auto r = parse_transfer(R"({"uuid":"u","num":1,"created_at":"2024-01-01T00:00:00Z",
        "started_at":"2024-01-01T01:00:01+01:00","finished_at":"2024-01-01T00:01:00.500Z",
        "logs":[{"created_at":null,"level":"info","message":"m"}]})");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->created_at, new_year);
    EXPECT_EQ(r->started_at, new_year + 1s);
    EXPECT_EQ(r->finished_at, new_year + 60500ms);
    EXPECT_FALSE(r->updated_at);
    EXPECT_FALSE(r->logs.at(0).created_at);
}

TEST(parse_transfer, unparsable_timestamps_name_their_field) {
    for (const char* field :
         {"created_at", "started_at", "finished_at", "canceled_at", "updated_at"}) {
        for (const char* value : {R"("yesterday")", R"("2024-02-30 00:00:00 +0000")",
                                  R"("2024-01-01 00:00:00")", R"("")"}) {
            const auto body =
                std::string(R"({"uuid":"u","num":1,")") + field + R"(":)" + value + "}";
            expect_invalid(parse_transfer(body),
                           std::string("\"") + field + "\" must be a timestamp");
        }
        expect_invalid(parse_transfer(std::string(R"({"uuid":"u","num":1,")") + field + "\":1}"),
                       std::string("\"") + field + "\" must be a string");
    }
    expect_invalid(parse_transfer(R"({"uuid":"u","num":1,
        "logs":[{"created_at":"soon","level":"info","message":"m"}]})"),
                   "\"logs[0].created_at\" must be a timestamp");
    const auto list = parse_transfers(std::string("[") + finished_backup +
                                      R"(,{"uuid":"u","num":2,"finished_at":"later"}])");
    expect_invalid(list, "\"[1].finished_at\" must be a timestamp");
}

TEST(parse_transfer, pending_nulls_default) {
    const auto r = parse_transfer(R"({"uuid":"u","num":1,"from_type":"gof3r",
        "to_type":"pg_restore","source_bytes":null,"processed_bytes":null,"succeeded":null,
        "warnings":null,"finished_at":null})");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->processed_bytes, 0);
    EXPECT_EQ(r->succeeded, std::nullopt) << "null is not known yet, not a failure";
    EXPECT_FALSE(r->finished_at);
    EXPECT_TRUE(r->logs.empty());
}

TEST(parse_transfer, missing_wrong_garbage) {
    expect_invalid(parse_transfer(R"({"num":1})"), "\"uuid\" is missing");
    expect_invalid(parse_transfer(R"({"uuid":"u","num":"1"})"), "\"num\" must be an integer");
    expect_invalid(parse_transfer(R"({"uuid":"u","num":1,"warnings":"2"})"),
                   "\"warnings\" must be an integer");
    expect_invalid(parse_transfer(R"({"uuid":"u","num":1,"succeeded":"true"})"),
                   "\"succeeded\" must be a boolean");
    expect_invalid(parse_transfer(R"({"uuid":"u","num":1,"logs":[{"level":"x"}]})"),
                   "\"logs[0].message\" is missing");
    expect_invalid(parse_transfer("{\"uuid\":"), "not JSON");
    const auto list = parse_transfers(std::string("[") + finished_backup + ",{\"num\":2}]");
    expect_invalid(list, "\"[1].uuid\" is missing");
}

} // namespace
} // namespace pgshift::heroku
