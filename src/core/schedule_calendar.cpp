// The next or previous wall-clock second a cron line matches, found field by field:
// a month that does not match is skipped whole, then a day, an hour, a minute. No zone
// here: local seconds are calendar arithmetic only (schedule_zone.cpp maps them).
#include "core/schedule_parts.hpp"

#include <bit>
#include <chrono>

namespace errand::detail {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr std::int64_t seconds_per_day = 86400;

/// A wall-clock second as calendar fields.
struct Civil {
  int year;
  unsigned month;
  unsigned day;
  unsigned hour;
  unsigned minute;
  unsigned second;
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0); }

Civil civil_of(std::int64_t local) {
  const std::int64_t day_number = floor_div(local, seconds_per_day);
  const auto of_day = static_cast<unsigned>(local - day_number * seconds_per_day);
  const year_month_day date{sys_days{days{day_number}}};
  return {static_cast<int>(date.year()), static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
          of_day / 3600, of_day / 60 % 60, of_day % 60};
}

std::int64_t local_of(const Civil& c) {
  const sys_days date{std::chrono::year{c.year} / std::chrono::month{c.month} / std::chrono::day{c.day}};
  return std::int64_t{date.time_since_epoch().count()} * seconds_per_day + std::int64_t{c.hour} * 3600 +
         std::int64_t{c.minute} * 60 + c.second;
}

unsigned days_in_month(int year, unsigned month) {
  const auto last = std::chrono::year_month_day_last{std::chrono::year{year}, std::chrono::month_day_last{std::chrono::month{month}}};
  return static_cast<unsigned>(last.day());
}

bool has(std::uint64_t bits, unsigned n) { return (bits >> n & 1U) != 0; }

/// The smallest member of `bits` at or above `from`, or 64.
unsigned next_member(std::uint64_t bits, unsigned from) {
  if (from >= 64) return 64;
  return static_cast<unsigned>(std::countr_zero(bits >> from)) + from;
}

/// The largest member of `bits` at or below `from`, or -1 as unsigned (~0U).
unsigned last_member(std::uint64_t bits, unsigned from) {
  const std::uint64_t at_most = from >= 63 ? bits : bits & ((std::uint64_t{2} << from) - 1);
  return static_cast<unsigned>(std::bit_width(at_most)) - 1;
}

// Moves to the first second of the next month / day / hour / minute, or to the last
// second of the previous one.
void next_month(Civil& c) { c = c.month == 12 ? Civil{c.year + 1, 1, 1, 0, 0, 0} : Civil{c.year, c.month + 1, 1, 0, 0, 0}; }
void next_day(Civil& c) {
  if (c.day >= days_in_month(c.year, c.month)) return next_month(c);
  c = {c.year, c.month, c.day + 1, 0, 0, 0};
}
void next_hour(Civil& c) {
  if (c.hour == 23) return next_day(c);
  c = {c.year, c.month, c.day, c.hour + 1, 0, 0};
}
void next_minute(Civil& c) {
  if (c.minute == 59) return next_hour(c);
  c = {c.year, c.month, c.day, c.hour, c.minute + 1, 0};
}
void previous_month(Civil& c) {
  const int year = c.month == 1 ? c.year - 1 : c.year;
  const unsigned month = c.month == 1 ? 12 : c.month - 1;
  c = {year, month, days_in_month(year, month), 23, 59, 59};
}
void previous_day(Civil& c) {
  if (c.day == 1) return previous_month(c);
  c = {c.year, c.month, c.day - 1, 23, 59, 59};
}
void previous_hour(Civil& c) {
  if (c.hour == 0) return previous_day(c);
  c = {c.year, c.month, c.day, c.hour - 1, 59, 59};
}
void previous_minute(Civil& c) {
  if (c.minute == 0) return previous_hour(c);
  c = {c.year, c.month, c.day, c.hour, c.minute - 1, 59};
}

}  // namespace

bool day_matches(const CronFields& fields, int year, unsigned month, unsigned day) {
  if (day > days_in_month(year, month)) return false;
  const bool by_day = has(fields.days, day);
  if (!fields.weekdays_restricted) return by_day;  // all bits set when unrestricted
  const sys_days date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  const bool by_weekday = has(fields.weekdays, std::chrono::weekday{date}.c_encoding());
  return fields.days_restricted ? (by_day || by_weekday) : by_weekday;
}

std::optional<std::int64_t> next_local_match(const CronFields& f, std::int64_t from) {
  Civil c = civil_of(from);
  const int last_year = c.year + max_years_between_ticks;
  while (c.year <= last_year) {
    if (!has(f.months, c.month)) {
      const unsigned month = next_member(f.months, c.month);
      if (month > 12) {
        c = {c.year + 1, next_member(f.months, 1), 1, 0, 0, 0};
      } else {
        c = {c.year, month, 1, 0, 0, 0};
      }
      continue;
    }
    if (!day_matches(f, c.year, c.month, c.day)) {
      if (f.weekdays_restricted) {
        next_day(c);
      } else if (const unsigned day = next_member(f.days, c.day + 1); day > days_in_month(c.year, c.month)) {
        next_month(c);
      } else {
        c = {c.year, c.month, day, 0, 0, 0};
      }
      continue;
    }
    if (const unsigned hour = next_member(f.hours, c.hour); hour != c.hour) {
      if (hour > 23) {
        next_day(c);
      } else {
        c = {c.year, c.month, c.day, hour, 0, 0};
      }
      continue;
    }
    if (const unsigned minute = next_member(f.minutes, c.minute); minute != c.minute) {
      if (minute > 59) {
        next_hour(c);
      } else {
        c.minute = minute;
        c.second = 0;
      }
      continue;
    }
    const unsigned second = next_member(f.seconds, c.second);
    if (second > 59) {
      next_minute(c);
      continue;
    }
    c.second = second;
    return local_of(c);
  }
  return std::nullopt;
}

std::optional<std::int64_t> last_local_match(const CronFields& f, std::int64_t from) {
  Civil c = civil_of(from);
  const int first_year = c.year - max_years_between_ticks;
  while (c.year >= first_year) {
    if (!has(f.months, c.month)) {
      const unsigned month = last_member(f.months, c.month);
      const int year = month == ~0U ? c.year - 1 : c.year;
      const unsigned in_year = month == ~0U ? last_member(f.months, 12) : month;
      c = {year, in_year, days_in_month(year, in_year), 23, 59, 59};
      continue;
    }
    if (!day_matches(f, c.year, c.month, c.day)) {
      if (f.weekdays_restricted) {
        previous_day(c);
      } else if (const unsigned day = last_member(f.days, c.day - 1); day == ~0U) {
        previous_month(c);
      } else {
        c = {c.year, c.month, day, 23, 59, 59};
      }
      continue;
    }
    if (const unsigned hour = last_member(f.hours, c.hour); hour != c.hour) {
      if (hour == ~0U) {
        previous_day(c);
      } else {
        c = {c.year, c.month, c.day, hour, 59, 59};
      }
      continue;
    }
    if (const unsigned minute = last_member(f.minutes, c.minute); minute != c.minute) {
      if (minute == ~0U) {
        previous_hour(c);
      } else {
        c.minute = minute;
        c.second = 59;
      }
      continue;
    }
    const unsigned second = last_member(f.seconds, c.second);
    if (second == ~0U) {
      previous_minute(c);
      continue;
    }
    c.second = second;
    return local_of(c);
  }
  return std::nullopt;
}

}  // namespace errand::detail
