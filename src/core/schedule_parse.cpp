// The text of a schedule: cron fields, @names and `every` intervals, with errors that
// name the field, the value and what the field allows.
#include "core/schedule_parts.hpp"

#include <errand/error.hpp>

#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <limits>
#include <vector>

namespace errand::detail {
namespace {

struct FieldSpec {
  std::string_view name;
  unsigned min;
  unsigned max;       ///< largest value a line may write (7 for day-of-week: Sunday again)
  unsigned star_max;  ///< where `*` and `5/10` end (6 for day-of-week)
  const std::array<std::string_view, 13>* names;  ///< names[value], or nullptr
  bool day_field;     ///< allows `?`
  std::string_view allowed;
};

constexpr std::array<std::string_view, 13> month_names{"",    "jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 13> weekday_names{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr FieldSpec second_field{"second", 0, 59, 59, nullptr, false, "0-59"};
constexpr FieldSpec minute_field{"minute", 0, 59, 59, nullptr, false, "0-59"};
constexpr FieldSpec hour_field{"hour", 0, 23, 23, nullptr, false, "0-23"};
constexpr FieldSpec day_field{"day-of-month", 1, 31, 31, nullptr, true, "1-31 or ?"};
constexpr FieldSpec month_field{"month", 1, 12, 12, &month_names, false, "1-12 or JAN-DEC"};
constexpr FieldSpec weekday_field{"day-of-week", 0, 7, 6, &weekday_names, true,
                                  "0-7 (0 and 7 are Sunday), SUN-SAT or ?"};

constexpr std::string_view forms = "as lists (1,15), ranges (1-5) and steps (*/15, 10-40/10, 5/10)";

struct Field {
  std::uint64_t bits = 0;
  bool restricted = true;  ///< false when an item is a bare `*` or `?` (or `*/1`)
};

class FieldParser {
 public:
  FieldParser(std::string_view line, const FieldSpec& spec, std::string_view text)
      : line_(line), spec_(spec), text_(text) {}

  Field parse() {
    Field field;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = text_.find(',', start);
      const std::string_view item = text_.substr(start, comma == std::string_view::npos ? comma : comma - start);
      if (item.empty()) fail(text_, "has an empty list item");
      add_item(item, field);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return field;
  }

 private:
  [[noreturn]] void fail(std::string_view value, std::string_view problem) const {
    throw ConfigError(fmt::format("errand: schedule {}: {} {} {}; {} allows {}, {}", preview(line_), spec_.name,
                                  preview(value), problem, spec_.name, spec_.allowed, forms));
  }

  void add_item(std::string_view item, Field& field) const {
    if (item.find_first_of("LlWw#") != std::string_view::npos && !spec_.names) {
      fail(item, "uses L, W or #, which errand does not support");
    }
    if (item.find('#') != std::string_view::npos) fail(item, "uses #, which errand does not support");
    const std::size_t slash = item.find('/');
    const std::string_view base = item.substr(0, slash);
    unsigned step = 1;
    if (slash != std::string_view::npos) {
      const std::string_view step_text = item.substr(slash + 1);
      const unsigned span = spec_.star_max - spec_.min + 1;
      const auto parsed = number(step_text);
      if (!parsed || *parsed < 1 || *parsed > span) {
        fail(item, fmt::format("has step {}; a step is a number from 1 to {}", preview(step_text), span));
      }
      step = *parsed;
    }
    unsigned low = 0;
    unsigned high = 0;
    if (base == "*" || base == "?") {
      if (base == "?" && !spec_.day_field) {
        fail(item, "uses ?, which only day-of-month and day-of-week allow");
      }
      low = spec_.min;
      high = spec_.star_max;
      if (step == 1) field.restricted = false;
    } else if (const std::size_t dash = base.find('-'); dash != std::string_view::npos) {
      low = value(base.substr(0, dash), item);
      high = value(base.substr(dash + 1), item);
      if (spec_.max == 7 && high == 0 && low > 0) high = 7;  // day-of-week FRI-SUN: Sunday as 7
      if (low > high) fail(item, "is a range that runs backwards; split it in two (22-23,0-2)");
    } else {
      low = value(base, item);
      high = slash == std::string_view::npos ? low : std::max(low, spec_.star_max);
    }
    for (unsigned v = low; v <= high; v += step) field.bits |= std::uint64_t{1} << v;
  }

  /// A number or, in month and day-of-week, a three-letter name in any case.
  unsigned value(std::string_view token, std::string_view item) const {
    if (const auto n = number(token)) {
      if (*n < spec_.min || *n > spec_.max) fail(token, "is out of range");
      return *n;
    }
    if (spec_.names && token.size() == 3) {
      std::string lower(token);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (unsigned v = 0; v < spec_.names->size(); ++v) {
        if (!(*spec_.names)[v].empty() && (*spec_.names)[v] == lower) return v;
      }
    }
    if (token.empty()) fail(item, "has an empty value");
    fail(token, spec_.names ? "is neither a number nor a name" : "is not a number");
  }

  static std::optional<unsigned> number(std::string_view token) {
    unsigned n = 0;
    const auto* end = token.data() + token.size();
    const auto [ptr, ec] = std::from_chars(token.data(), end, n);
    if (token.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return n;
  }

  std::string_view line_;
  const FieldSpec& spec_;
  std::string_view text_;
};

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

/// The 5-field line an @name stands for, or ConfigError.
std::string_view expand_name(std::string_view word, std::string_view line) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> names{{
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
      {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  }};
  for (const auto& [name, expansion] : names) {
    if (equals_ignoring_case(word, name)) return expansion;
  }
  const std::string_view why = equals_ignoring_case(word, "@reboot") ? "runs at start-up, not on a schedule" : "is unknown";
  throw ConfigError(fmt::format(
      "errand: schedule {}: {} {}; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly",
      preview(line), preview(word), why));
}

/// "Europe/Berlin", "UTC": what Fugit lets a line end with.
bool looks_like_zone(std::string_view word) {
  if (equals_ignoring_case(word, "UTC")) return true;
  const std::size_t slash = word.find('/');
  return std::isalpha(static_cast<unsigned char>(word[0])) != 0 && slash != std::string_view::npos &&
         slash + 1 < word.size() && std::isalpha(static_cast<unsigned char>(word[slash + 1])) != 0;
}

/// Refuses a line whose day-of-month exists in none of its months ("0 0 30 2 *").
void check_runs(const CronFields& fields, std::string_view line, std::string_view day_text,
                std::string_view month_text) {
  if (!fields.days_restricted || fields.weekdays_restricted) return;  // some day of every month matches
  static constexpr std::array<unsigned, 13> longest_month{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const auto first_day = static_cast<unsigned>(std::countr_zero(fields.days));
  for (unsigned month = 1; month <= 12; ++month) {
    if ((fields.months >> month & 1U) != 0 && first_day <= longest_month[month]) return;
  }
  throw ConfigError(fmt::format(
      "errand: schedule {} never runs: day-of-month {} does not occur in month {} (February has at most 29 days; "
      "April, June, September and November 30); fix the day or the month",
      preview(line), preview(day_text), preview(month_text)));
}

[[noreturn]] void refuse_interval(std::string_view shown, std::string_view line) {
  throw ConfigError(fmt::format(
      "errand: schedule {}: an interval is 1s to {}d, not {}; for a longer period use a cron line (\"0 0 1 1 *\")",
      preview(line), Schedule::max_interval.count() / 86400, shown));
}

}  // namespace

CronFields parse_cron_line(std::string_view line) {
  std::vector<std::string_view> words = split_words(line);
  if (words.size() == 1 && words[0].starts_with('@')) words = split_words(expand_name(words[0], line));
  if (words.size() >= 6 && looks_like_zone(words.back())) {
    throw ConfigError(fmt::format(
        "errand: schedule {} ends in time zone {}; give the zone as its own setting (Schedule::parse's time_zone)",
        preview(line), preview(words.back())));
  }
  if (words.size() != 5 && words.size() != 6) {
    const std::string_view hint = words.size() == 7 ? " (a 7th field, the year of the Rust cron crate, is not supported)" : "";
    throw ConfigError(fmt::format(
        "errand: schedule {} has {} fields{}; a cron line has 5 (minute hour day-of-month month day-of-week) or 6 "
        "with second first, e.g. \"0 8 * * *\"; or write @hourly, @daily, ... or an interval such as \"every 10m\"",
        preview(line), words.size(), hint));
  }
  CronFields fields;
  std::size_t i = 0;
  if (words.size() == 6) {
    fields.seconds = FieldParser(line, second_field, words[i++]).parse().bits;
    fields.has_seconds = true;
  }
  fields.minutes = FieldParser(line, minute_field, words[i++]).parse().bits;
  fields.hours = FieldParser(line, hour_field, words[i++]).parse().bits;
  const std::string_view day_text = words[i++];
  const Field days = FieldParser(line, day_field, day_text).parse();
  const std::string_view month_text = words[i++];
  fields.months = FieldParser(line, month_field, month_text).parse().bits;
  const Field weekdays = FieldParser(line, weekday_field, words[i++]).parse();
  fields.days = days.bits;
  fields.days_restricted = days.restricted;
  fields.weekdays = (weekdays.bits & 0x7FU) | (weekdays.bits >> 7 & 1U);  // 7 is Sunday too
  fields.weekdays_restricted = weekdays.restricted;
  check_runs(fields, line, day_text, month_text);
  return fields;
}

std::optional<std::int64_t> parse_interval(std::string_view line) {
  const std::vector<std::string_view> words = split_words(line);
  if (words.empty() || !equals_ignoring_case(words[0], "every")) return std::nullopt;
  std::string rest;
  for (std::size_t i = 1; i < words.size(); ++i) rest += words[i];  // "every 30 s" is "every 30s"
  std::uint64_t count = 0;
  const char* const end = rest.data() + rest.size();
  const auto [unit_at, ec] = std::from_chars(rest.data(), end, count);
  std::int64_t unit = 0;
  if (unit_at + 1 == end && (ec == std::errc() || ec == std::errc::result_out_of_range)) {
    switch (std::tolower(static_cast<unsigned char>(*unit_at))) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: break;
    }
  }
  if (unit == 0) {
    throw ConfigError(fmt::format(
        "errand: schedule {}: interval {} is not a whole number and a unit; write every 30s, every 10m, every 2h or "
        "every 1d",
        preview(line), preview(rest)));
  }
  const auto limit = static_cast<std::uint64_t>(Schedule::max_interval.count() / unit);
  if (ec == std::errc::result_out_of_range || count > limit) refuse_interval(rest, line);
  const auto seconds = static_cast<std::int64_t>(count) * unit;
  check_interval(seconds, line);
  return seconds;
}

void check_interval(std::int64_t seconds, std::string_view line) {
  if (seconds < 1 || seconds > Schedule::max_interval.count()) refuse_interval(fmt::format("{}s", seconds), line);
}

std::string interval_text(std::int64_t seconds) {
  if (seconds % 86400 == 0) return fmt::format("every {}d", seconds / 86400);
  if (seconds % 3600 == 0) return fmt::format("every {}h", seconds / 3600);
  if (seconds % 60 == 0) return fmt::format("every {}m", seconds / 60);
  return fmt::format("every {}s", seconds);
}

}  // namespace errand::detail
