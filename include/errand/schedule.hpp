// When a periodic job runs: a cron line or a fixed interval, in an IANA time zone.
//
//   auto nightly = errand::Schedule::parse("30 2 * * *", "Europe/Berlin");  // 02:30 Berlin time
//   auto often = errand::Schedule::parse("*/15 * * * * *");                 // every 15 s, UTC
//   auto steady = errand::Schedule::every(std::chrono::minutes(10));        // :00, :10, :20 UTC
//   TimePoint next = nightly.next_after(now);
//
// A schedule is immutable and cheap to copy (copies share one parsed rule); its methods
// may be called from any thread. docs/periodic.md ("Schedules") has the full rules.
#pragma once

#include <errand/job.hpp>  // TimePoint

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace errand {

/// Which cron reads a line: the two that share periodic jobs with errand differ.
enum class CronDialect {
  /// Vixie cron, as sidekiq-cron's Fugit reads it (and errand's own definitions): the
  /// rules below.
  standard,
  /// The Rust `cron` crate, as rusty-sidekiq and Roadster read their definitions: 6 or 7
  /// fields (seconds first, an optional year last), a day must match BOTH day fields,
  /// and day-of-week numbers run 1-7 from Sunday (names SUN-SAT as usual). Always UTC.
  cron_crate,
};

/// A cron line or an interval, and the time zone its cron fields are read in.
///
/// Cron lines follow standard (Vixie) cron as sidekiq-cron's Fugit reads them:
/// - When both day-of-month and day-of-week are restricted (neither is `*` or `?`), a
///   day runs when EITHER matches: `0 9 1 * MON` runs on the 1st and on every Monday.
///   A field counts as unrestricted when one of its items is a bare `*` or `?` (or
///   `*/1`); `*/2` restricts. (The Rust `cron` crate, used by rusty-sidekiq and Roadster,
///   requires both to match instead, and numbers weekdays 1-7 from Sunday.)
/// - Daylight saving time: a local time skipped when clocks go forward runs once, at the
///   first instant after the gap (02:30 on a 02:00→03:00 night runs at 03:00); a local
///   time that occurs twice when clocks go back runs once, at its first occurrence (so
///   `* * * * *` pauses for the repeated hour). Intervals ignore the zone.
/// - A day that a month lacks never matches in that month (the 31st skips April; the
///   29th of February runs in leap years only).
class Schedule {
 public:
  /// The longest interval every() and `every ...` accept; a longer period is a cron line.
  static constexpr std::chrono::seconds max_interval{std::chrono::hours(24 * 366)};

  /// Parses `line`:
  /// - 5 fields `minute hour day-of-month month day-of-week`, or 6 with `second` first (as
  ///   rusty-sidekiq, Roadster and sidekiq-cron accept);
  /// - in each field a list (`1,15`) of values, ranges (`1-5`) and steps (`*/15`,
  ///   `10-40/10`, `5/10` = `5-59/10`); month names `JAN`-`DEC` and day names `SUN`-`SAT`
  ///   in any case; day-of-week 0 and 7 are both Sunday (`FRI-SUN` works); `?` is `*` in
  ///   the two day fields;
  /// - `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly`;
  /// - or an interval `every 30s`, `every 10m`, `every 2h`, `every 1d` (see every()).
  /// `time_zone` is an IANA name ("Europe/Berlin"), default "UTC"; "UTC" needs no tzdata.
  /// Throws errand::ConfigError naming the field ("minute", "day-of-week", ...), the bad
  /// value and what the field allows; an unknown time zone by its name; and a line that
  /// can never run ("0 0 30 2 *": February has no 30th).
  [[nodiscard]] static Schedule parse(std::string_view line, std::string_view time_zone = "UTC",
                                      CronDialect dialect = CronDialect::standard);

  /// A fixed interval, 1 s to max_interval. Its ticks are the whole multiples of the
  /// interval since the Unix epoch (1970-01-01T00:00:00Z), so that every process computes
  /// the same ticks: every(10min) ticks at :00, :10, :20, ... UTC. Throws ConfigError
  /// outside that range. text() is the interval as `every` would parse it ("every 10m").
  [[nodiscard]] static Schedule every(std::chrono::seconds interval);

  /// The first tick strictly after `t` (ticks are whole seconds). Computed field by field,
  /// not by stepping through time: well under a microsecond for any line. TimePoint::max()
  /// when that tick lies beyond the clock's range (the year 2262).
  [[nodiscard]] TimePoint next_after(TimePoint t) const;

  /// The last tick at or before `t`: what sidekiq-cron checks at each poll. nullopt only
  /// when there is none in the 8 years before `t` (the longest gap of any line that
  /// parses is that between two February 29ths), or before the clock's range.
  [[nodiscard]] std::optional<TimePoint> last_at_or_before(TimePoint t) const;

  /// The line as given to parse(), or "every <n><unit>" for every().
  [[nodiscard]] const std::string& text() const noexcept;
  /// The IANA name of the zone the cron fields are read in ("UTC" for every()).
  [[nodiscard]] const std::string& time_zone() const noexcept;
  /// True when ticks can fall inside a minute: a 6-field line, or an interval that is not
  /// a whole number of minutes. A poller then needs to look more often than once a minute.
  [[nodiscard]] bool has_seconds() const noexcept;
  [[nodiscard]] CronDialect dialect() const noexcept;
  /// The interval of an `every` schedule; nullopt for a cron line.
  [[nodiscard]] std::optional<std::chrono::seconds> interval() const noexcept;

  struct Rule;  ///< the parsed line (src/core/schedule_parts.hpp)

 private:
  explicit Schedule(std::shared_ptr<const Rule> rule) noexcept;
  std::shared_ptr<const Rule> rule_;
};

}  // namespace errand
