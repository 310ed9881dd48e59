// Schedule syntax: every form a line may take, and every error, which must name the field
// and the value. Times: schedule_time_test.cpp; random lines: schedule_property_test.cpp.
#include <errand/error.hpp>
#include <errand/schedule.hpp>

#include "schedule_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace errand {
namespace {

// 2026-06-01 is a Monday.
const TimePoint schedule_monday = schedule_utc(2026, 6, 1, 10, 7, 30);

TEST(ScheduleSyntax, FiveFieldsStepListRangeAndSingleValues) {
  EXPECT_EQ(schedule_ticks(Schedule::parse("*/15 * * * *"), schedule_monday, 3),
            (Ticks{"2026-06-01T10:15:00Z", "2026-06-01T10:30:00Z", "2026-06-01T10:45:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 8 * * *"), schedule_monday, 2),
            (Ticks{"2026-06-02T08:00:00Z", "2026-06-03T08:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 1,15 * * *"), schedule_monday, 3),
            (Ticks{"2026-06-01T15:00:00Z", "2026-06-02T01:00:00Z", "2026-06-02T15:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 9-10 * * *"), schedule_monday, 3),
            (Ticks{"2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z", "2026-06-03T09:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("10-40/10 10 * * *"), schedule_monday, 5),
            (Ticks{"2026-06-01T10:10:00Z", "2026-06-01T10:20:00Z", "2026-06-01T10:30:00Z", "2026-06-01T10:40:00Z",
                   "2026-06-02T10:10:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("5/20 * * * *"), schedule_monday, 4),
            (Ticks{"2026-06-01T10:25:00Z", "2026-06-01T10:45:00Z", "2026-06-01T11:05:00Z", "2026-06-01T11:25:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 0 1,15-16 */5 *"), schedule_monday, 4),
            (Ticks{"2026-06-15T00:00:00Z", "2026-06-16T00:00:00Z", "2026-11-01T00:00:00Z", "2026-11-15T00:00:00Z"}));
}

TEST(ScheduleSyntax, NamesInAnyCaseAndSundayAsZeroOrSeven) {
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 0 1 jan,Jul *"), schedule_monday, 2),
            (Ticks{"2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 0 1 MAR-may *"), schedule_monday, 1), (Ticks{"2027-03-01T00:00:00Z"}));
  const Ticks weekend{"2026-06-06T12:00:00Z", "2026-06-07T12:00:00Z", "2026-06-13T12:00:00Z"};
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 * * sat-sun"), schedule_monday, 3), weekend);
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 * * 6,0"), schedule_monday, 3), weekend);
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 * * 6-7"), schedule_monday, 3), weekend);
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 * * SAT,7"), schedule_monday, 3), weekend);
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 * * Fri-Sun"), schedule_monday, 3),
            (Ticks{"2026-06-05T12:00:00Z", "2026-06-06T12:00:00Z", "2026-06-07T12:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 * * MON-FRI/2"), schedule_monday, 3),
            (Ticks{"2026-06-01T12:00:00Z", "2026-06-03T12:00:00Z", "2026-06-05T12:00:00Z"}));
}

TEST(ScheduleSyntax, QuestionMarkIsAStarInTheDayFields) {
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 ? * MON"), schedule_monday, 2),
            (Ticks{"2026-06-01T12:00:00Z", "2026-06-08T12:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 2 * ?"), schedule_monday, 2),
            (Ticks{"2026-06-02T12:00:00Z", "2026-07-02T12:00:00Z"}));
}

TEST(ScheduleSyntax, SixFieldsPutSecondsFirst) {
  const auto schedule = Schedule::parse("*/15 * * * * *");
  EXPECT_TRUE(schedule.has_seconds());
  EXPECT_EQ(schedule_ticks(schedule, schedule_monday, 3),
            (Ticks{"2026-06-01T10:07:45Z", "2026-06-01T10:08:00Z", "2026-06-01T10:08:15Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 0 8 * * *"), schedule_monday, 1), (Ticks{"2026-06-02T08:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("30 5 * * * MON"), schedule_monday, 2),
            (Ticks{"2026-06-01T11:05:30Z", "2026-06-01T12:05:30Z"}));
  EXPECT_FALSE(Schedule::parse("0 8 * * *").has_seconds());
}

TEST(ScheduleSyntax, AtNamesAreTheirFiveFieldLines) {
  const std::vector<std::pair<std::string, std::string>> names{
      {"@yearly", "2027-01-01T00:00:00Z"},  {"@annually", "2027-01-01T00:00:00Z"},
      {"@monthly", "2026-07-01T00:00:00Z"}, {"@weekly", "2026-06-07T00:00:00Z"},
      {"@daily", "2026-06-02T00:00:00Z"},   {"@midnight", "2026-06-02T00:00:00Z"},
      {"@hourly", "2026-06-01T11:00:00Z"},  {"  @Daily ", "2026-06-02T00:00:00Z"}};
  for (const auto& [line, next] : names) {
    const auto schedule = Schedule::parse(line);
    EXPECT_EQ(schedule_iso(schedule.next_after(schedule_monday)), next) << line;
    EXPECT_EQ(schedule.text(), line);
    EXPECT_FALSE(schedule.has_seconds());
  }
}

TEST(ScheduleSyntax, IntervalsAreMultiplesSinceTheEpoch) {
  const auto thirty_seconds = Schedule::parse("every 30s");
  EXPECT_EQ(thirty_seconds.interval(), std::chrono::seconds(30));
  EXPECT_TRUE(thirty_seconds.has_seconds());
  EXPECT_EQ(schedule_ticks(thirty_seconds, schedule_monday, 2), (Ticks{"2026-06-01T10:08:00Z", "2026-06-01T10:08:30Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("every 10m"), schedule_monday, 2),
            (Ticks{"2026-06-01T10:10:00Z", "2026-06-01T10:20:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("every 2h"), schedule_monday, 1), (Ticks{"2026-06-01T12:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("Every 1D"), schedule_monday, 1), (Ticks{"2026-06-02T00:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("every 7 m"), schedule_monday, 1), (Ticks{"2026-06-01T10:10:00Z"}));
  EXPECT_FALSE(Schedule::parse("every 10m").has_seconds());
  EXPECT_FALSE(Schedule::parse("0 * * * *").interval().has_value());
  // A zone changes nothing for an interval: ticks are instants, not wall-clock times.
  EXPECT_EQ(schedule_ticks(Schedule::parse("every 1d", "Europe/Berlin"), schedule_monday, 1),
            (Ticks{"2026-06-02T00:00:00Z"}));
}

TEST(ScheduleSyntax, EveryNamesItsIntervalInTheLargestExactUnit) {
  EXPECT_EQ(Schedule::every(std::chrono::minutes(10)).text(), "every 10m");
  EXPECT_EQ(Schedule::every(std::chrono::seconds(90)).text(), "every 90s");
  EXPECT_EQ(Schedule::every(std::chrono::hours(48)).text(), "every 2d");
  EXPECT_EQ(Schedule::every(std::chrono::hours(3)).text(), "every 3h");
  EXPECT_EQ(Schedule::every(std::chrono::hours(3)).time_zone(), "UTC");
  EXPECT_TRUE(Schedule::every(std::chrono::seconds(90)).has_seconds());
  EXPECT_FALSE(Schedule::every(std::chrono::minutes(2)).has_seconds());
  EXPECT_EQ(Schedule::every(std::chrono::seconds(1)).interval(), std::chrono::seconds(1));
  EXPECT_NO_THROW((void)Schedule::every(Schedule::max_interval));
}

TEST(ScheduleSyntax, KeepsTheLineAndZoneAsGiven) {
  const auto schedule = Schedule::parse("  0 8 * * *\t", "America/New_York");
  EXPECT_EQ(schedule.text(), "  0 8 * * *\t");
  EXPECT_EQ(schedule.time_zone(), "America/New_York");
  EXPECT_EQ(Schedule::parse("0 8 * * *").time_zone(), "UTC");
  const auto copy = schedule;  // copies share the parsed rule
  EXPECT_EQ(copy.next_after(schedule_monday), schedule.next_after(schedule_monday));
}

TEST(ScheduleDays, BothDayFieldsRestrictedRunWhenEitherMatches) {
  // The 1st of the month (a Wednesday in July) and every Monday.
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 9 1 * MON"), schedule_utc(2026, 6, 25), 4),
            (Ticks{"2026-06-29T09:00:00Z", "2026-07-01T09:00:00Z", "2026-07-06T09:00:00Z", "2026-07-13T09:00:00Z"}));
  // A step is a restriction too (as in Fugit): odd days, or Mondays.
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 9 */2 * MON"), schedule_utc(2026, 6, 25), 4),
            (Ticks{"2026-06-25T09:00:00Z", "2026-06-27T09:00:00Z", "2026-06-29T09:00:00Z", "2026-07-01T09:00:00Z"}));
  // One restricted: that one alone.
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 9 * * MON"), schedule_utc(2026, 6, 25), 2),
            (Ticks{"2026-06-29T09:00:00Z", "2026-07-06T09:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 9 1 * *"), schedule_utc(2026, 6, 25), 2),
            (Ticks{"2026-07-01T09:00:00Z", "2026-08-01T09:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 9 1 * */1"), schedule_utc(2026, 6, 25), 1),
            (Ticks{"2026-07-01T09:00:00Z"}));
}

/// Parses `line` in `zone`, expecting a ConfigError whose message holds each of `parts`.
void schedule_expect_refused(const std::string& line, const std::vector<std::string>& parts,
                             const std::string& zone = "UTC") {
  try {
    (void)Schedule::parse(line, zone);
    ADD_FAILURE() << "accepted: " << line;
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << part << " not in: " << message;
  }
}

TEST(ScheduleErrors, NameTheFieldTheValueAndWhatIsAllowed) {
  schedule_expect_refused("61 * * * *", {"minute \"61\" is out of range", "minute allows 0-59"});
  schedule_expect_refused("60 * * * * *", {"second \"60\" is out of range", "0-59"});
  schedule_expect_refused("* 24 * * *", {"hour \"24\"", "0-23"});
  schedule_expect_refused("* * 0 * *", {"day-of-month \"0\"", "1-31"});
  schedule_expect_refused("* * 32 * *", {"day-of-month \"32\""});
  schedule_expect_refused("* * * 13 *", {"month \"13\"", "JAN-DEC"});
  schedule_expect_refused("* * * FOO *", {"month \"FOO\" is neither a number nor a name", "JAN-DEC"});
  schedule_expect_refused("* * * * 8", {"day-of-week \"8\"", "SUN-SAT"});
  schedule_expect_refused("* * * * MONDAY", {"day-of-week \"MONDAY\""});
  schedule_expect_refused("* * * * JAN", {"day-of-week \"JAN\""});
  schedule_expect_refused("x * * * *", {"minute \"x\" is not a number"});
  schedule_expect_refused("-1 * * * *", {"minute", "\"-1\""});
  schedule_expect_refused("*/0 * * * *", {"minute \"*/0\" has step \"0\"", "1 to 60"});
  schedule_expect_refused("*/61 * * * *", {"minute \"*/61\"", "1 to 60"});
  schedule_expect_refused("*/ * * * *", {"minute \"*/\" has step \"\""});
  schedule_expect_refused("0 5-1 * * *", {"hour \"5-1\" is a range that runs backwards"});
  schedule_expect_refused("0 1- * * *", {"hour \"1-\" has an empty value"});
  schedule_expect_refused("1,,2 * * * *", {"minute \"1,,2\" has an empty list item"});
  schedule_expect_refused("? * * * *", {"minute \"?\" uses ?"});
  schedule_expect_refused("* * L * *", {"day-of-month \"L\" uses L, W or #"});
  schedule_expect_refused("* * 15W * *", {"day-of-month \"15W\""});
  schedule_expect_refused("* * * * 1#2", {"day-of-week \"1#2\" uses #"});
}

TEST(ScheduleErrors, WrongShapesSayWhatALineLooksLike) {
  schedule_expect_refused("", {"must not be empty", "every 10m"});
  schedule_expect_refused("   ", {"must not be empty"});
  schedule_expect_refused("* * *", {"\"* * *\" has 3 fields", "5 (minute hour day-of-month month day-of-week)"});
  schedule_expect_refused("0 0 8 * * * 2026", {"has 7 fields", "year"});
  schedule_expect_refused("0 8 * * * Europe/Berlin", {"ends in time zone \"Europe/Berlin\"", "own setting"});
  schedule_expect_refused("@reboot", {"\"@reboot\" runs at start-up"});
  schedule_expect_refused("@often", {"\"@often\" is unknown", "@hourly"});
  schedule_expect_refused("every 10x", {"interval \"10x\" is not a whole number and a unit", "every 30s"});
  schedule_expect_refused("every", {"interval \"\""});
  schedule_expect_refused("every ten minutes", {"interval \"tenminutes\""});
  schedule_expect_refused("every 0s", {"an interval is 1s to 366d, not 0s"});
  schedule_expect_refused("every 367d", {"not 367d"});
  schedule_expect_refused("every 99999999999999999999999s", {"not 99999999999999999999999s"});
  EXPECT_THROW((void)Schedule::every(std::chrono::seconds(0)), ConfigError);
  EXPECT_THROW((void)Schedule::every(std::chrono::hours(24 * 367)), ConfigError);
}

TEST(ScheduleErrors, RefusesALineThatNeverRuns) {
  schedule_expect_refused("0 0 30 2 *", {"\"0 0 30 2 *\" never runs", "day-of-month \"30\"", "month \"2\""});
  schedule_expect_refused("0 0 31 4,6,9,11 *", {"never runs"});
  schedule_expect_refused("0 0 31 FEB *", {"never runs"});
  EXPECT_NO_THROW((void)Schedule::parse("0 0 31 2,3 *"));
  EXPECT_NO_THROW((void)Schedule::parse("0 0 29 2 *"));
  EXPECT_NO_THROW((void)Schedule::parse("0 0 30 2 MON"));  // Mondays in February
}

TEST(ScheduleErrors, UnknownTimeZoneIsNamed) {
  schedule_expect_refused("0 8 * * *", {"unknown time zone \"Mars/Olympus\"", "Europe/Berlin"}, "Mars/Olympus");
  schedule_expect_refused("0 8 * * *", {"unknown time zone \"\""}, "");
  schedule_expect_refused("every 1m", {"unknown time zone \"europe/berlin\""}, "europe/berlin");
  EXPECT_NO_THROW((void)Schedule::parse("0 8 * * *", "Asia/Kolkata"));
}

}  // namespace
}  // namespace errand
