// The pieces behind errand::Schedule, one file each:
//   schedule_parse.cpp     the text of a cron line or an interval -> CronFields / seconds
//   schedule_calendar.cpp  the next / previous local (wall-clock) second a CronFields matches
//   schedule_zone.cpp      local seconds <-> instants in an IANA zone, with the DST rules
//   schedule.cpp           errand::Schedule itself, which puts them together
//
// Times are whole seconds in std::int64_t: "instants" count from 1970-01-01T00:00:00Z,
// "local seconds" count wall-clock time in the schedule's zone from 1970-01-01 00:00:00
// as if that zone never changed its offset.
#pragma once

#include <errand/schedule.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace errand::detail {

/// A cron line's fields as bit sets: bit n set = value n allowed.
struct CronFields {
  std::uint64_t seconds = 1;   ///< bits 0-59; just second 0 for a 5-field line
  std::uint64_t minutes = 0;   ///< bits 0-59
  std::uint64_t hours = 0;     ///< bits 0-23
  std::uint64_t days = 0;      ///< bits 1-31 (day of month)
  std::uint64_t months = 0;    ///< bits 1-12
  std::uint64_t weekdays = 0;  ///< bits 0-6, 0 = Sunday
  /// False when the field has a bare `*` or `?` item: see day_matches().
  bool days_restricted = false;
  bool weekdays_restricted = false;
  bool has_seconds = false;  ///< the line had 6 fields
};

/// Parses a cron line or an @name; throws ConfigError (see Schedule::parse).
[[nodiscard]] CronFields parse_cron_line(std::string_view line);
/// Parses "every 30s" style text; nullopt when `line` does not start with "every".
[[nodiscard]] std::optional<std::int64_t> parse_interval(std::string_view line);
/// Throws ConfigError unless 1 s <= seconds <= Schedule::max_interval.
void check_interval(std::int64_t seconds, std::string_view line);
/// "every 10m": the shortest exact form of an interval.
[[nodiscard]] std::string interval_text(std::int64_t seconds);

/// How many years a search looks ahead or back before giving up: 8 is the longest gap
/// between two ticks of any line that parses (Feb 29 in 2096 and 2104).
inline constexpr int max_years_between_ticks = 8;

/// Whether the day y-m-d passes the two day fields: either one when both are restricted
/// (Vixie cron), else the restricted one, else every day.
[[nodiscard]] bool day_matches(const CronFields& fields, int year, unsigned month, unsigned day);
/// The first local second at or after `from` that the fields match, looking at most
/// max_years_between_ticks years ahead.
[[nodiscard]] std::optional<std::int64_t> next_local_match(const CronFields& fields, std::int64_t from);
/// The last local second at or before `from` that the fields match, as far back.
[[nodiscard]] std::optional<std::int64_t> last_local_match(const CronFields& fields, std::int64_t from);

/// An IANA zone's rules, seen as a non-decreasing map from local seconds to instants:
/// a local time is its unique instant; one skipped by a forward change is the instant
/// the gap ends; one repeated by a backward change is its first occurrence.
class ZoneMap {
 public:
  /// UTC (no tzdata needed) for "UTC"; else the named zone, or ConfigError.
  [[nodiscard]] static ZoneMap locate(std::string_view name, std::string_view line);

  /// The instant local time `local` runs at.
  [[nodiscard]] std::int64_t instant_of(std::int64_t local) const;
  /// The smallest local time whose instant_of is at or after instant `at`.
  [[nodiscard]] std::int64_t first_local_reaching(std::int64_t at) const;
  /// The largest local time whose instant_of is at or before instant `at`.
  [[nodiscard]] std::int64_t last_local_within(std::int64_t at) const;

 private:
  explicit ZoneMap(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_;  ///< nullptr: UTC; else owned by the date library's database
};

}  // namespace errand::detail

namespace errand {

struct Schedule::Rule {
  std::string text;
  std::string time_zone;
  std::optional<detail::CronFields> cron;  ///< a cron line, or
  std::int64_t interval = 0;               ///< an interval in seconds
  detail::ZoneMap zone;
  bool has_seconds = false;
  CronDialect dialect = CronDialect::standard;
};

}  // namespace errand
