// Wall-clock seconds in an IANA zone <-> instants, with errand's daylight-saving rules:
// a skipped local time runs when the gap ends, a repeated one at its first occurrence.
// Seen that way, instant_of() never decreases as local time grows, so the first tick
// after an instant is instant_of(the first matching local time at or after
// first_local_reaching(that instant)), and likewise backwards.
#include "core/schedule_parts.hpp"

#include <errand/error.hpp>

#include "core/text.hpp"

#include <date/tz.h>

#include <exception>

namespace errand::detail {
namespace {

using std::chrono::seconds;

date::sys_seconds instant(std::int64_t s) { return date::sys_seconds{seconds{s}}; }
date::local_seconds local_time(std::int64_t s) { return date::local_seconds{seconds{s}}; }
std::int64_t count(date::sys_seconds s) { return s.time_since_epoch().count(); }

}  // namespace

ZoneMap ZoneMap::locate(std::string_view name, std::string_view line) {
  if (name == "UTC") return ZoneMap(nullptr);
  try {
    return ZoneMap(date::locate_zone(name));
  } catch (const std::exception& e) {
    // date's own message says "... not found" for an unknown name, or what failed when
    // the database itself could not be read (no tzdata).
    throw ConfigError(fmt::format(
        "errand: schedule {}: unknown time zone {} ({}); give an IANA name such as \"Europe/Berlin\", "
        "\"America/New_York\" or \"UTC\" (the names under /usr/share/zoneinfo, from the tzdata package)",
        preview(line), preview(name), e.what()));
  }
}

std::int64_t ZoneMap::instant_of(std::int64_t local) const {
  if (zone_ == nullptr) return local;
  const date::local_info info = zone_->get_info(local_time(local));
  if (info.result == date::local_info::nonexistent) return count(info.first.end);  // the gap's end
  return local - info.first.offset.count();  // unique, or the first of two occurrences
}

std::int64_t ZoneMap::first_local_reaching(std::int64_t at) const {
  if (zone_ == nullptr) return at;
  const date::sys_info info = zone_->get_info(instant(at));
  if (count(info.begin) == at) {
    // Clocks went forward at `at`: the skipped local times run at `at` too.
    const date::sys_info before = zone_->get_info(instant(at - 1));
    if (before.offset < info.offset) return at + before.offset.count();
  }
  const std::int64_t local = at + info.offset.count();
  const date::local_info here = zone_->get_info(local_time(local));
  if (here.result == date::local_info::ambiguous && at >= count(here.second.begin)) {
    // `at` is in the repeated hour's second pass, whose local times run in the first:
    // the next local time to run after it is the one the repetition ends at.
    return count(here.second.begin) + here.first.offset.count();
  }
  return local;
}

std::int64_t ZoneMap::last_local_within(std::int64_t at) const {
  if (zone_ == nullptr) return at;
  const std::int64_t local = at + zone_->get_info(instant(at)).offset.count();
  const date::local_info here = zone_->get_info(local_time(local));
  if (here.result == date::local_info::ambiguous && at >= count(here.second.begin)) {
    // In the second pass: every local time of the repeated hour already ran in the first.
    return count(here.second.begin) + here.first.offset.count() - 1;
  }
  return local;
}

}  // namespace errand::detail
