// Schedule times: daylight saving in Europe/Berlin and America/New_York on the real 2026
// changes, leap years, month ends, year ends, last_at_or_before, and the clock's edges.
#include <errand/schedule.hpp>

#include "schedule_test_support.hpp"

#include <gtest/gtest.h>

namespace errand {
namespace {

// Europe/Berlin 2026: 02:00 CET -> 03:00 CEST on March 29 at 01:00Z;
// 03:00 CEST -> 02:00 CET on October 25 at 01:00Z (02:00-02:59 local happens twice).
Schedule schedule_berlin(const char* line) { return Schedule::parse(line, "Europe/Berlin"); }
// America/New_York 2026: 02:00 EST -> 03:00 EDT on March 8 at 07:00Z;
// 02:00 EDT -> 01:00 EST on November 1 at 06:00Z (01:00-01:59 local happens twice).
Schedule schedule_new_york(const char* line) { return Schedule::parse(line, "America/New_York"); }

TEST(ScheduleDaylightSaving, BerlinSkippedTimeRunsOnceWhenTheGapEnds) {
  EXPECT_EQ(schedule_ticks(schedule_berlin("30 2 * * *"), schedule_utc(2026, 3, 27, 12), 3),
            (Ticks{"2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}));
  // Two skipped times and 03:00 itself: one run.
  EXPECT_EQ(schedule_ticks(schedule_berlin("15,45 2,3 * * *"), schedule_utc(2026, 3, 29, 0, 30), 3),
            (Ticks{"2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z", "2026-03-29T01:45:00Z"}));
  EXPECT_EQ(schedule_ticks(schedule_berlin("0 * * * *"), schedule_utc(2026, 3, 28, 22, 30), 4),
            (Ticks{"2026-03-28T23:00:00Z", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"}));
  EXPECT_EQ(schedule_ticks(schedule_berlin("* * * * *"), schedule_utc(2026, 3, 29, 0, 58), 3),
            (Ticks{"2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:01:00Z"}));
}

TEST(ScheduleDaylightSaving, BerlinRepeatedTimeRunsAtItsFirstOccurrence) {
  EXPECT_EQ(schedule_ticks(schedule_berlin("30 2 * * *"), schedule_utc(2026, 10, 24, 12), 2),
            (Ticks{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}));
  EXPECT_EQ(schedule_ticks(schedule_berlin("0 * * * *"), schedule_utc(2026, 10, 24, 22, 30), 4),
            (Ticks{"2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"}));
  // Every minute pauses for the repeated hour (use an interval for a steady pace).
  EXPECT_EQ(schedule_ticks(schedule_berlin("* * * * *"), schedule_utc(2026, 10, 25, 0, 58), 3),
            (Ticks{"2026-10-25T00:59:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:01:00Z"}));
  // From inside the second pass.
  EXPECT_EQ(schedule_iso(schedule_berlin("* * * * *").next_after(schedule_utc(2026, 10, 25, 1, 30))),
            "2026-10-25T02:00:00Z");
  EXPECT_EQ(schedule_iso(schedule_berlin("* * * * *").next_after(schedule_utc(2026, 10, 25, 1))),
            "2026-10-25T02:00:00Z");
}

TEST(ScheduleDaylightSaving, BerlinLastTickAcrossBothChanges) {
  const auto daily = schedule_berlin("30 2 * * *");
  EXPECT_EQ(schedule_iso(daily.last_at_or_before(schedule_utc(2026, 3, 29, 1))), "2026-03-29T01:00:00Z");
  EXPECT_EQ(schedule_iso(daily.last_at_or_before(schedule_utc(2026, 3, 29, 0, 59, 59))), "2026-03-28T01:30:00Z");
  EXPECT_EQ(schedule_iso(daily.last_at_or_before(schedule_utc(2026, 10, 25, 1, 45))), "2026-10-25T00:30:00Z");
  EXPECT_EQ(schedule_iso(daily.last_at_or_before(schedule_utc(2026, 10, 26, 1, 30))), "2026-10-26T01:30:00Z");
  const auto minutely = schedule_berlin("* * * * *");
  EXPECT_EQ(schedule_iso(minutely.last_at_or_before(schedule_utc(2026, 10, 25, 1, 30))), "2026-10-25T00:59:00Z");
  EXPECT_EQ(schedule_iso(minutely.last_at_or_before(schedule_utc(2026, 10, 25, 1))), "2026-10-25T00:59:00Z");
  EXPECT_EQ(schedule_iso(minutely.last_at_or_before(schedule_utc(2026, 10, 25, 2))), "2026-10-25T02:00:00Z");
  EXPECT_EQ(schedule_iso(minutely.last_at_or_before(schedule_utc(2026, 3, 29, 1, 0, 30))), "2026-03-29T01:00:00Z");
  const auto hourly = schedule_berlin("0 * * * *");
  EXPECT_EQ(schedule_iso(hourly.last_at_or_before(schedule_utc(2026, 10, 25, 1, 59, 59))), "2026-10-25T00:00:00Z");
}

TEST(ScheduleDaylightSaving, NewYorkSkippedTimeRunsOnceWhenTheGapEnds) {
  EXPECT_EQ(schedule_ticks(schedule_new_york("30 2 * * *"), schedule_utc(2026, 3, 7, 12), 2),
            (Ticks{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}));
  EXPECT_EQ(schedule_ticks(schedule_new_york("0 * * * *"), schedule_utc(2026, 3, 8, 5, 30), 3),
            (Ticks{"2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"}));
  EXPECT_EQ(schedule_ticks(schedule_new_york("* * * * *"), schedule_utc(2026, 3, 8, 6, 58), 3),
            (Ticks{"2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:01:00Z"}));
  EXPECT_EQ(schedule_ticks(schedule_new_york("*/20 * * * * *"), schedule_utc(2026, 3, 8, 6, 59, 30), 3),
            (Ticks{"2026-03-08T06:59:40Z", "2026-03-08T07:00:00Z", "2026-03-08T07:00:20Z"}));
}

TEST(ScheduleDaylightSaving, NewYorkRepeatedTimeRunsAtItsFirstOccurrence) {
  EXPECT_EQ(schedule_ticks(schedule_new_york("30 1 * * *"), schedule_utc(2026, 10, 31, 12), 2),
            (Ticks{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}));
  EXPECT_EQ(schedule_ticks(schedule_new_york("0 * * * *"), schedule_utc(2026, 11, 1, 3, 30), 4),
            (Ticks{"2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"}));
  EXPECT_EQ(schedule_ticks(schedule_new_york("* * * * *"), schedule_utc(2026, 11, 1, 5, 58), 2),
            (Ticks{"2026-11-01T05:59:00Z", "2026-11-01T07:00:00Z"}));
  EXPECT_EQ(schedule_iso(schedule_new_york("30 1 * * *").last_at_or_before(schedule_utc(2026, 11, 1, 6, 45))),
            "2026-11-01T05:30:00Z");
}

TEST(ScheduleCalendar, FebruaryTwentyNinthRunsInLeapYearsOnly) {
  const auto leap_day = Schedule::parse("0 0 29 2 *");
  EXPECT_EQ(schedule_ticks(leap_day, schedule_utc(2026, 1, 1), 2), (Ticks{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}));
  // 2100 is not a leap year: eight years between two runs.
  EXPECT_EQ(schedule_iso(leap_day.next_after(schedule_utc(2097, 1, 1))), "2104-02-29T00:00:00Z");
  EXPECT_EQ(schedule_iso(leap_day.last_at_or_before(schedule_utc(2027, 6, 1))), "2024-02-29T00:00:00Z");
  EXPECT_EQ(schedule_iso(leap_day.last_at_or_before(schedule_utc(2103, 12, 31))), "2096-02-29T00:00:00Z");
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 12 28-29 2 *"),
                           schedule_utc(2028, 2, 28, 13), 2),
            (Ticks{"2028-02-29T12:00:00Z", "2029-02-28T12:00:00Z"}));
}

TEST(ScheduleCalendar, ADayAMonthLacksIsSkippedThatMonth) {
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 0 31 * *"), schedule_utc(2026, 4, 1), 3),
            (Ticks{"2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z"}));
  EXPECT_EQ(schedule_ticks(Schedule::parse("0 0 30 * *"), schedule_utc(2026, 2, 1), 1), (Ticks{"2026-03-30T00:00:00Z"}));
  EXPECT_EQ(schedule_iso(Schedule::parse("0 0 31 * *").last_at_or_before(schedule_utc(2026, 7, 30))),
            "2026-05-31T00:00:00Z");
}

TEST(ScheduleCalendar, YearEndsRollOver) {
  EXPECT_EQ(schedule_iso(Schedule::parse("0 0 1 1 *").next_after(schedule_utc(2026, 12, 31, 23, 59, 59))),
            "2027-01-01T00:00:00Z");
  EXPECT_EQ(schedule_iso(Schedule::parse("*/15 * * * * *").next_after(schedule_utc(2026, 12, 31, 23, 59, 59))),
            "2027-01-01T00:00:00Z");
  EXPECT_EQ(schedule_iso(Schedule::parse("59 23 31 12 *").last_at_or_before(schedule_utc(2027, 1, 1))),
            "2026-12-31T23:59:00Z");
  EXPECT_EQ(schedule_iso(Schedule::parse("0 0 * * *", "Europe/Berlin").next_after(schedule_utc(2026, 12, 31, 12))),
            "2026-12-31T23:00:00Z");
}

TEST(ScheduleInstants, NextIsStrictlyAfterAndLastIsAtOrBefore) {
  const auto hourly = Schedule::parse("0 * * * *");
  const TimePoint tick = schedule_utc(2026, 6, 1, 10);
  EXPECT_EQ(hourly.next_after(tick), tick + std::chrono::hours(1));
  EXPECT_EQ(hourly.next_after(tick - std::chrono::nanoseconds(1)), tick);
  EXPECT_EQ(hourly.last_at_or_before(tick), tick);
  EXPECT_EQ(hourly.last_at_or_before(tick + std::chrono::milliseconds(999)), tick);
  EXPECT_EQ(hourly.last_at_or_before(tick - std::chrono::nanoseconds(1)), tick - std::chrono::hours(1));
  const auto every = Schedule::every(std::chrono::seconds(30));
  EXPECT_EQ(every.next_after(tick), tick + std::chrono::seconds(30));
  EXPECT_EQ(every.next_after(tick - std::chrono::nanoseconds(1)), tick);
  EXPECT_EQ(every.last_at_or_before(tick + std::chrono::seconds(29)), tick);
}

TEST(ScheduleInstants, IntervalsBeforeTheEpochStayOnTheirGrid) {
  const auto ten_minutes = Schedule::every(std::chrono::minutes(10));
  EXPECT_EQ(schedule_iso(ten_minutes.next_after(schedule_utc(1969, 12, 31, 23, 59, 59))), "1970-01-01T00:00:00Z");
  EXPECT_EQ(schedule_iso(ten_minutes.last_at_or_before(schedule_utc(1969, 12, 31, 23, 55))), "1969-12-31T23:50:00Z");
  EXPECT_EQ(schedule_iso(ten_minutes.next_after(schedule_utc(1969, 12, 31, 23, 50))), "1970-01-01T00:00:00Z");
}

TEST(ScheduleInstants, TheClocksEdgesNeitherLoopNorOverflow) {
  // The next February 29th after early 2262 is beyond the clock (it ends in April 2262).
  EXPECT_EQ(Schedule::parse("0 0 29 2 *").next_after(schedule_utc(2262, 1, 1)), TimePoint::max());
  for (const char* line : {"0 0 29 2 *", "* * * * * *", "every 1d"}) {
    for (const char* zone : {"UTC", "Europe/Berlin"}) {
      const auto schedule = Schedule::parse(line, zone);
      EXPECT_EQ(schedule.next_after(TimePoint::max()), TimePoint::max()) << line;
      EXPECT_FALSE(schedule.last_at_or_before(TimePoint::min()).has_value()) << line;
      EXPECT_GT(schedule.next_after(TimePoint::min()), TimePoint::min()) << line;
    }
  }
}

}  // namespace
}  // namespace errand
