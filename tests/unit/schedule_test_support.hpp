// Instants written as UTC calendar times, and printed back as ISO 8601, for the schedule
// tests: a failure then reads "2026-03-29T01:00:00Z", not a count of nanoseconds.
#pragma once

#include <errand/job.hpp>
#include <errand/schedule.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace errand {

inline TimePoint schedule_utc(int year, unsigned month, unsigned day, unsigned hour = 0, unsigned minute = 0,
                              unsigned second = 0) {
  const std::chrono::sys_days date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  return TimePoint(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) + std::chrono::seconds(second);
}

inline std::string schedule_iso(TimePoint t) {
  const auto whole = std::chrono::floor<std::chrono::seconds>(t);
  const auto date = std::chrono::floor<std::chrono::days>(whole);
  const std::chrono::year_month_day ymd{date};
  const std::chrono::hh_mm_ss time{whole - date};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ%s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()), whole == t ? "" : "+fraction");
  return text;
}

inline std::string schedule_iso(const std::optional<TimePoint>& t) { return t ? schedule_iso(*t) : "none"; }

using Ticks = std::vector<std::string>;

/// The next `count` ticks after `from`, as ISO 8601 text.
inline Ticks schedule_ticks(const Schedule& schedule, TimePoint from, int count) {
  Ticks ticks;
  for (int i = 0; i < count; ++i) {
    from = schedule.next_after(from);
    ticks.push_back(schedule_iso(from));
  }
  return ticks;
}

}  // namespace errand
