#include "config/toml_reader.hpp"

#include "config/settings.hpp"

#include <errand/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <limits>

namespace errand::config {
namespace {

bool is_bare_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Roadster settings errand has no use for: named as such, so that a Roadster user knows
// the key is not misspelt but not errand's (docs/configuration.md, "Coming from Roadster").
bool is_roadster_only(std::string_view key) {
  static constexpr std::string_view keys[] = {
      "acquire-timeout", "app-worker",       "backoff-strategy", "connect-lazy",       "connect-timeout",
      "db-pool",         "default-enable",   "delay",            "delay-offset",       "disable-argument-coercion",
      "enqueue-config",  "enqueue-pool",     "failure-action",   "fetch-pool",         "idle-timeout",
      "install",         "max-connections",  "max-delay",        "max-lifetime",       "min-connections",
      "periodic",        "queue-config",     "queue-fetch-config", "retry-config",     "retry-connection",
      "success-action",  "test-on-checkout",
  };
  return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

// Levenshtein distance, for "did you mean": keys are short, so the quadratic table is fine.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string to_string(const Path& path) {
  std::string out;
  for (const auto& segment : path) {
    if (!out.empty()) out += '.';
    out += is_bare_key(segment) ? segment : fmt::format("{:?}", segment);
  }
  return out;
}

Path split(std::string_view dotted) {
  Path path;
  std::size_t start = 0;
  while (true) {
    const auto dot = dotted.find('.', start);
    path.emplace_back(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return path;
    start = dot + 1;
  }
}

Path child(Path parent, std::string_view key) {
  parent.emplace_back(key);
  return parent;
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

TomlReader::TomlReader(std::string_view toml, std::string_view source_name) : source_(source_name) {
  try {
    root_ = toml::parse(toml, source_name);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    throw ConfigError(fmt::format("errand: {}:{}:{}: not valid TOML: {}; fix the syntax there", source_,
                                  begin.line, begin.column, e.description()));
  }
}

const toml::node* TomlReader::find(const Path& path) {
  known_keys_.insert(path);
  for (auto end = path.begin(); !path.empty() && std::next(end) != path.end(); ++end) {
    known_tables_.insert(Path(path.begin(), std::next(end)));
  }
  return lookup(path);
}

const toml::node* TomlReader::lookup(const Path& path) const {
  const toml::node* node = &root_;
  for (const auto& segment : path) {
    const auto* table = node->as_table();
    if (table == nullptr) return nullptr;  // a parent that is not a table is reported by its own reader
    node = table->get(segment);
    if (node == nullptr) return nullptr;
  }
  return node;
}

bool TomlReader::table(const Path& path) {
  const toml::node* node = find(path);
  known_keys_.erase(path);  // a section: its own keys are checked, not skipped
  known_tables_.insert(path);
  if (node == nullptr) return false;
  if (!node->is_table()) {
    fail(origin(*node, path), "must be a table ([{}]), got {}; see docs/configuration.md", to_string(path),
         type_name(*node));
  }
  return true;
}

std::vector<std::string> TomlReader::keys(const Path& path) {
  std::vector<std::string> out;
  if (!table(path)) return out;
  for (const auto& [key, node] : *lookup(path)->as_table()) out.emplace_back(key.str());
  for (const auto& key : out) known_tables_.insert(child(path, key));
  return out;
}

std::optional<bool> TomlReader::boolean(const Path& path) {
  const toml::node* node = find(path);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) fail(origin(*node, path), "must be true or false, got {}", type_name(*node));
  return node->as_boolean()->get();
}

std::optional<std::int64_t> TomlReader::integer(const Path& path, std::int64_t min, std::int64_t max) {
  const toml::node* node = find(path);
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) {
    fail(origin(*node, path), "must be an integer, got {}{}", type_name(*node),
         node->is_string() ? "; write the number without quotes" : "");
  }
  const std::int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    if (max == std::numeric_limits<std::int64_t>::max() || max == std::numeric_limits<int>::max()) {
      fail(origin(*node, path), "must be at least {}, got {}", min, value);
    }
    fail(origin(*node, path), "must be between {} and {}, got {}", min, max, value);
  }
  return value;
}

std::optional<std::string> TomlReader::string(const Path& path) {
  const toml::node* node = find(path);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) fail(origin(*node, path), "must be a string, got {}; put it in quotes", type_name(*node));
  return node->as_string()->get();
}

std::optional<std::int64_t> TomlReader::seconds_ms(const Path& path, std::int64_t minimum_ms, bool allow_zero) {
  const toml::node* node = find(path);
  if (node == nullptr) return std::nullopt;
  double seconds = 0;
  if (node->is_integer()) {
    seconds = static_cast<double>(node->as_integer()->get());
  } else if (node->is_floating_point()) {
    seconds = node->as_floating_point()->get();
  } else {
    fail(origin(*node, path), "must be a number of seconds, got {}", type_name(*node));
  }
  constexpr double max_seconds = 365.0 * 24 * 3600;  // also keeps the cast below defined
  if (!(seconds >= 0) || seconds > max_seconds) {
    fail(origin(*node, path), "must be a number of seconds from 0 to a year, got {}", seconds);
  }
  const auto ms = static_cast<std::int64_t>(seconds * 1000);
  if (allow_zero && seconds == 0) return 0;
  if (ms < minimum_ms) {
    fail(origin(*node, path), "must be at least {} s ({} ms){}, got {} s", static_cast<double>(minimum_ms) / 1000,
         minimum_ms, allow_zero ? " or exactly 0" : "", seconds);
  }
  return ms;
}

std::string TomlReader::origin(const toml::node& node, const Path& path) const {
  return fmt::format("{}:{}: {}", source_, node.source().begin.line, to_string(path));
}

std::string TomlReader::origin(const Path& path) const { return origin(*lookup(path), path); }

std::string TomlReader::origin(std::uint32_t line) const { return fmt::format("{}:{}", source_, line); }

void TomlReader::check_unknown_keys() const { check_table(root_, {}); }

void TomlReader::check_table(const toml::table& table, const Path& path) const {
  for (const auto& [key, node] : table) {
    const Path full = child(path, key.str());
    if (known_keys_.contains(full)) continue;
    if (known_tables_.contains(full)) {
      if (!node.is_table()) {
        fail(fmt::format("{}:{}", source_, key.source().begin.line), "{} must be a table ([{}]), got {}",
             to_string(full), to_string(full), type_name(node));
      }
      check_table(*node.as_table(), full);
      continue;
    }
    const bool backend_worker_config = !path.empty() && path.back() == "worker-config" &&
                                       (key.str() == "pg" || key.str() == "sidekiq");
    if (is_roadster_only(key.str()) || backend_worker_config) {
      fail(fmt::format("{}:{}", source_, key.source().begin.line),
           "{} is a Roadster setting errand does not use; remove it (see \"Coming from Roadster\" in "
           "docs/configuration.md)",
           to_string(full));
    }
    std::string hint;
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : known_children(path)) {
      const std::size_t distance = edit_distance(key.str(), candidate);
      if (distance < best && distance <= std::max<std::size_t>(2, candidate.size() / 3)) {
        best = distance;
        hint = fmt::format(" (did you mean \"{}\"?)", candidate);
      }
    }
    fail(fmt::format("{}:{}", source_, key.source().begin.line),
         "unknown key {}{}; remove it or fix its name (every key: docs/configuration.md)", to_string(full), hint);
  }
}

std::vector<std::string> TomlReader::known_children(const Path& path) const {
  std::vector<std::string> out;
  auto collect = [&](const std::set<Path>& paths) {
    for (const auto& p : paths) {
      if (p.size() == path.size() + 1 && std::equal(path.begin(), path.end(), p.begin())) out.push_back(p.back());
    }
  };
  collect(known_keys_);
  collect(known_tables_);
  return out;
}

}  // namespace errand::config
