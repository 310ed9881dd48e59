// errand::Schedule: the parsed line (schedule_parse.cpp), the calendar search
// (schedule_calendar.cpp) and the zone's rules (schedule_zone.cpp) put together.
#include "core/schedule_parts.hpp"

#include <errand/error.hpp>

#include "core/text.hpp"

#include <limits>

namespace errand {
namespace {

using std::chrono::seconds;

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);
}

/// The clock's range in whole seconds (about the years 1678 to 2262).
constexpr std::int64_t latest_second = std::chrono::floor<seconds>(TimePoint::max()).time_since_epoch().count();
constexpr std::int64_t earliest_second = std::chrono::ceil<seconds>(TimePoint::min()).time_since_epoch().count();

TimePoint time_point(std::int64_t s) {
  if (s > latest_second) return TimePoint::max();
  return TimePoint(seconds{s});
}

std::int64_t whole_seconds(TimePoint t) { return std::chrono::floor<seconds>(t).time_since_epoch().count(); }

std::string trimmed(std::string_view text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  return std::string(text.substr(start, text.find_last_not_of(" \t\r\n") - start + 1));
}

}  // namespace

Schedule::Schedule(std::shared_ptr<const Rule> rule) noexcept : rule_(std::move(rule)) {}

Schedule Schedule::parse(std::string_view line, std::string_view time_zone, CronDialect dialect) {
  const std::string text = trimmed(line);
  if (text.empty()) {
    throw ConfigError(
        "errand: a schedule must not be empty; write a cron line such as \"0 8 * * *\" or an interval such as "
        "\"every 10m\"");
  }
  auto zone = detail::ZoneMap::locate(time_zone, line);
  Rule rule{std::string(line), std::string(time_zone), std::nullopt, 0, zone, false, dialect};
  if (const auto interval = detail::parse_interval(text)) {
    rule.interval = *interval;
    rule.has_seconds = *interval % 60 != 0;
  } else {
    rule.cron = detail::parse_cron_line(text);
    rule.has_seconds = rule.cron->has_seconds;
  }
  return Schedule(std::make_shared<const Rule>(std::move(rule)));
}

Schedule Schedule::every(std::chrono::seconds interval) {
  const std::string text = detail::interval_text(interval.count());
  detail::check_interval(interval.count(), text);
  return Schedule(std::make_shared<const Rule>(
      Rule{text, "UTC", std::nullopt, interval.count(), detail::ZoneMap::locate("UTC", text), interval.count() % 60 != 0}));
}

TimePoint Schedule::next_after(TimePoint t) const {
  const std::int64_t after = whole_seconds(t) + 1;  // ticks are whole seconds: the first one > t is >= this
  if (after > latest_second) return TimePoint::max();
  if (!rule_->cron) {
    const std::int64_t step = rule_->interval;
    return time_point(floor_div(after + step - 1, step) * step);
  }
  const std::int64_t from = rule_->zone.first_local_reaching(after);
  const auto local = detail::next_local_match(*rule_->cron, from);
  if (!local) {
    // parse() refuses lines that never run, and every other line runs within the window.
    throw Error(fmt::format("errand: schedule {} found no tick within {} years after {} s since the epoch; please "
                            "report this as a bug",
                            detail::preview(rule_->text), detail::max_years_between_ticks, after));
  }
  return time_point(rule_->zone.instant_of(*local));
}

std::optional<TimePoint> Schedule::last_at_or_before(TimePoint t) const {
  const std::int64_t at = whole_seconds(t);
  std::optional<std::int64_t> tick;
  if (!rule_->cron) {
    tick = floor_div(at, rule_->interval) * rule_->interval;
  } else if (const auto local = detail::last_local_match(*rule_->cron, rule_->zone.last_local_within(at))) {
    tick = rule_->zone.instant_of(*local);
  }
  if (!tick || *tick < earliest_second) return std::nullopt;
  return TimePoint(seconds{*tick});
}

const std::string& Schedule::text() const noexcept { return rule_->text; }
const std::string& Schedule::time_zone() const noexcept { return rule_->time_zone; }
bool Schedule::has_seconds() const noexcept { return rule_->has_seconds; }
CronDialect Schedule::dialect() const noexcept { return rule_->dialect; }

std::optional<std::chrono::seconds> Schedule::interval() const noexcept {
  if (rule_->cron) return std::nullopt;
  return seconds{rule_->interval};
}

}  // namespace errand
