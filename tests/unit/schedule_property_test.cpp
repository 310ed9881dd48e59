// Random cron lines against a slow reference: the generator writes a line and, on its own,
// the sets of values the line allows; the reference steps through time a minute (or a
// second) at a time and asks those sets. For every line and random instant t:
// next_after(t) > t is a tick, no tick lies between them, and last_at_or_before agrees.
#include <errand/error.hpp>
#include <errand/schedule.hpp>

#include "schedule_test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace errand {
namespace {

using std::chrono::seconds;

/// A line and what it allows, by construction.
struct ScheduleOracle {
  std::string line;
  std::array<std::uint64_t, 6> bits{};  // second minute hour day-of-month month day-of-week
  bool days_restricted = true;
  bool weekdays_restricted = true;
  bool has_seconds = false;

  [[nodiscard]] bool matches_local(std::int64_t local) const {
    const auto day = std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{seconds{local}});
    const std::chrono::year_month_day date{day};
    const std::int64_t of_day = local - std::chrono::sys_seconds{day}.time_since_epoch().count();
    const auto has = [](std::uint64_t set, std::int64_t n) { return (set >> n & 1U) != 0; };
    const bool by_day = has(bits[3], static_cast<unsigned>(date.day()));
    const bool by_weekday = has(bits[5], std::chrono::weekday{day}.c_encoding());
    const bool day_ok = days_restricted && weekdays_restricted ? by_day || by_weekday : by_day && by_weekday;
    return day_ok && has(bits[4], static_cast<unsigned>(date.month())) && has(bits[2], of_day / 3600) &&
           has(bits[1], of_day / 60 % 60) && has(bits[0], of_day % 60);
  }

  [[nodiscard]] bool never_runs() const {
    if (!days_restricted || weekdays_restricted) return false;
    constexpr std::array<int, 13> longest{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int month = 1; month <= 12; ++month) {
      for (int day = 1; day <= longest[month]; ++day) {
        if ((bits[4] >> month & 1U) != 0 && (bits[3] >> day & 1U) != 0) return false;
      }
    }
    return true;
  }
};

class ScheduleLineMaker {
 public:
  explicit ScheduleLineMaker(std::uint64_t seed) : rng_(seed) {}

  ScheduleOracle make() {
    ScheduleOracle oracle;
    oracle.has_seconds = chance(0.3);
    oracle.bits[0] = 1;
    std::string line;
    bool ignored = true;
    if (oracle.has_seconds) line += field(0, 59, 59, nullptr, false, oracle.bits[0], ignored) + " ";
    line += field(0, 59, 59, nullptr, false, oracle.bits[1], ignored) + " ";
    line += field(0, 23, 23, nullptr, false, oracle.bits[2], ignored) + " ";
    line += field(1, 31, 31, nullptr, true, oracle.bits[3], oracle.days_restricted) + " ";
    line += field(1, 12, 12, &months, false, oracle.bits[4], ignored) + " ";
    line += field(0, 7, 6, &weekdays, true, oracle.bits[5], oracle.weekdays_restricted);
    oracle.bits[5] = (oracle.bits[5] & 0x7FU) | (oracle.bits[5] >> 7 & 1U);
    oracle.line = line;
    return oracle;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  static constexpr std::array<const char*, 13> months{"",    "jan", "FEB", "Mar", "apr", "May", "jun",
                                                      "JUL", "aug", "Sep", "oct", "nov", "DEC"};
  static constexpr std::array<const char*, 13> weekdays{"sun", "Mon", "TUE", "wed", "Thu", "fri", "SAT", "sun"};

  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  unsigned pick(unsigned low, unsigned high) { return std::uniform_int_distribution<unsigned>(low, high)(rng_); }

  /// A number or its name; day-of-week 7 stays a number ("0-SUN" is not "0-7").
  std::string value(unsigned v, const std::array<const char*, 13>* names) {
    if (names && v != 7 && chance(0.3)) return (*names)[v];
    return std::to_string(v);
  }

  std::string field(unsigned min, unsigned max, unsigned star_max, const std::array<const char*, 13>* names,
                    bool day, std::uint64_t& bits, bool& restricted) {
    bits = 0;
    restricted = true;
    std::string text;
    const unsigned items = chance(0.7) ? 1 : pick(2, 3);
    for (unsigned i = 0; i < items; ++i) {
      if (i > 0) text += ",";
      unsigned low = 0;
      unsigned high = 0;
      unsigned step = 1;
      const unsigned kind = pick(0, 9);
      if (kind < 4) {  // `*` or `?`, maybe with a step
        text += day && chance(0.3) ? "?" : "*";
        low = min;
        high = star_max;
        if (kind == 3) step = pick(1, star_max - min + 1);
        if (kind == 3 || chance(0.1)) text += "/" + std::to_string(step);
        if (step == 1) restricted = false;
      } else if (kind < 6) {  // a value
        low = high = pick(min, max);
        text += value(low, names);
      } else if (kind < 8) {  // a range, maybe with a step
        low = pick(min, max);
        high = pick(low, max);
        text += value(low, names) + "-" + value(high, names);
        if (kind == 7) {
          step = pick(1, star_max - min + 1);
          text += "/" + std::to_string(step);
        }
      } else {  // value/step: from the value to the field's end
        low = pick(min, star_max);
        high = star_max;
        step = pick(1, star_max - min + 1);
        text += std::to_string(low) + "/" + std::to_string(step);
      }
      for (unsigned v = low; v <= high; v += step) bits |= std::uint64_t{1} << v;
    }
    return text;
  }

  std::mt19937_64 rng_;
};

std::int64_t schedule_seconds(TimePoint t) { return std::chrono::floor<seconds>(t).time_since_epoch().count(); }

/// Europe/Berlin by the EU rule, on its own: +2 h from the last Sunday of March 01:00Z to
/// the last Sunday of October 01:00Z, else +1 h.
struct ScheduleBerlinRule {
  static std::int64_t change(int in_year, unsigned in_month) {
    const std::chrono::sys_days last_sunday{std::chrono::year_month_weekday_last{
        std::chrono::year{in_year}, std::chrono::month{in_month}, std::chrono::weekday_last{std::chrono::Sunday}}};
    return std::chrono::sys_seconds{last_sunday}.time_since_epoch().count() + 3600;
  }
  static int year_of(std::int64_t u) {
    return static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(
                                                            std::chrono::sys_seconds{seconds{u}})}
                                .year());
  }
  static std::int64_t spring(std::int64_t u) { return change(year_of(u), 3); }
  static std::int64_t fall(std::int64_t u) { return change(year_of(u), 10); }
  static std::int64_t offset(std::int64_t u) { return u >= spring(u) && u < fall(u) ? 7200 : 3600; }
};

/// Whether instant `u` is a tick: in UTC, or in Berlin with errand's DST rules.
bool schedule_reference_tick(const ScheduleOracle& oracle, std::int64_t u, bool berlin) {
  if (!berlin) return oracle.matches_local(u);
  const std::int64_t fall = ScheduleBerlinRule::fall(u);
  if (u >= fall && u < fall + 3600) return false;  // the repeated hour's second pass
  if (u == ScheduleBerlinRule::spring(u)) {        // the skipped hour runs now
    for (std::int64_t local = u + 3600; local < u + 7200; ++local) {
      if (oracle.matches_local(local)) return true;
    }
  }
  return oracle.matches_local(u + ScheduleBerlinRule::offset(u));
}

/// "" when next_after and last_at_or_before agree with the reference around `t`.
std::string schedule_check(const ScheduleOracle& oracle, const Schedule& schedule, TimePoint t, bool berlin) {
  const std::int64_t grid = oracle.has_seconds ? 1 : 60;
  const std::int64_t window = oracle.has_seconds ? 1800 : 86400;
  const std::int64_t at = schedule_seconds(t);
  const TimePoint next = schedule.next_after(t);
  const std::int64_t n = schedule_seconds(next);
  if (next <= t || TimePoint(seconds{n}) != next) return "next_after " + schedule_iso(next) + " is not after t";
  if (!schedule_reference_tick(oracle, n, berlin)) return "next_after " + schedule_iso(next) + " is not a tick";
  for (std::int64_t u = (at / grid + 1) * grid; u < n && u <= at + window; u += grid) {
    if (schedule_reference_tick(oracle, u, berlin)) return "missed tick " + schedule_iso(TimePoint(seconds{u}));
  }
  const auto last = schedule.last_at_or_before(t);
  if (!last) return "no last_at_or_before";
  const std::int64_t l = schedule_seconds(*last);
  if (*last > t || !schedule_reference_tick(oracle, l, berlin)) return "bad last " + schedule_iso(last);
  for (std::int64_t u = at / grid * grid; u > l && u >= at - window; u -= grid) {
    if (schedule_reference_tick(oracle, u, berlin)) return "last skipped tick " + schedule_iso(TimePoint(seconds{u}));
  }
  if (schedule.next_after(*last) != next) return "next_after(last) " + schedule_iso(schedule.next_after(*last));
  return "";
}

void schedule_run_random_lines(int lines, bool berlin, std::uint64_t seed) {
  ScheduleLineMaker maker(seed);
  const std::int64_t start = schedule_seconds(schedule_utc(2024, 1, 1));
  const std::int64_t span = schedule_seconds(schedule_utc(2031, 1, 1)) - start;
  int failures = 0;
  for (int i = 0; i < lines && failures < 5; ++i) {
    const ScheduleOracle oracle = maker.make();
    if (oracle.never_runs()) {
      EXPECT_THROW((void)Schedule::parse(oracle.line), ConfigError) << oracle.line;
      continue;
    }
    const Schedule schedule = Schedule::parse(oracle.line, berlin ? "Europe/Berlin" : "UTC");
    std::int64_t at = start + std::uniform_int_distribution<std::int64_t>(0, span)(maker.rng());
    if (berlin) {  // within a day and a half of a change of clocks
      const std::int64_t change = ScheduleBerlinRule::change(ScheduleBerlinRule::year_of(at), (i % 2) != 0 ? 3 : 10);
      at = change + std::uniform_int_distribution<std::int64_t>(-129600, 129600)(maker.rng());
    }
    const TimePoint t =
        TimePoint(seconds{at}) + std::chrono::nanoseconds(i % 3 == 0 ? 0 : maker.rng()() % 1'000'000'000);
    const std::string problem = schedule_check(oracle, schedule, t, berlin);
    EXPECT_EQ(problem, "") << "line \"" << oracle.line << "\" at " << schedule_iso(t);
    if (!problem.empty()) ++failures;
  }
}

TEST(ScheduleProperty, RandomLinesAgreeWithASlowReferenceInUtc) { schedule_run_random_lines(2000, false, 20261203); }

TEST(ScheduleProperty, RandomLinesAgreeWithASlowReferenceAcrossBerlinClockChanges) {
  schedule_run_random_lines(600, true, 20260329);
}

}  // namespace
}  // namespace errand
