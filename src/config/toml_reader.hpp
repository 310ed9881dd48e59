// Typed, located access to a TOML document, remembering every key asked about: what
// was never asked about is an unknown key, reported with its line and the nearest known
// name. The keys errand reads are thus the one list of what is allowed.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace errand::config {

/// A key's segments: {"service", "sidekiq", "num-workers"}. Segments may contain dots
/// (worker class names in quoted keys), so paths are never joined to look things up.
using Path = std::vector<std::string>;

/// "service.sidekiq.num-workers"; segments that are not bare TOML keys are quoted.
[[nodiscard]] std::string to_string(const Path& path);
/// {"service", "sidekiq"} from "service.sidekiq" (for fixed paths written in the code).
[[nodiscard]] Path split(std::string_view dotted);
[[nodiscard]] Path child(Path parent, std::string_view key);

class TomlReader {
 public:
  /// Parses `toml`. A syntax error is rethrown as ConfigError with file:line:column.
  TomlReader(std::string_view toml, std::string_view source_name);

  /// The node at `path`, declaring it a known key. Null when absent.
  const toml::node* find(const Path& path);
  /// The node at `path`, without declaring anything. Null when absent.
  [[nodiscard]] const toml::node* lookup(const Path& path) const;
  /// Whether the table at `path` is in the file, declaring it a known section. Throws
  /// ConfigError when `path` holds something other than a table.
  bool table(const Path& path);
  /// The keys of the table at `path` (empty when absent), each declared known.
  std::vector<std::string> keys(const Path& path);

  // Typed values: nullopt when absent; ConfigError naming the key, line and the expected
  // type when present with another type.
  std::optional<bool> boolean(const Path& path);
  std::optional<std::int64_t> integer(const Path& path, std::int64_t min, std::int64_t max);
  std::optional<std::string> string(const Path& path);
  /// An integer or floating-point number of seconds, in whole ms: at least `minimum_ms`
  /// after the conversion (so 0.0001 s cannot become a 0 ms busy loop), or exactly 0
  /// with `allow_zero`.
  std::optional<std::int64_t> seconds_ms(const Path& path, std::int64_t minimum_ms, bool allow_zero);

  /// "errand.toml:7: service.sidekiq.num-workers": where `node` is, for messages.
  [[nodiscard]] std::string origin(const toml::node& node, const Path& path) const;
  /// The same for the node at `path`, which must be present.
  [[nodiscard]] std::string origin(const Path& path) const;
  /// "errand.toml:7" for a line.
  [[nodiscard]] std::string origin(std::uint32_t line) const;

  /// Throws ConfigError for the first key in the file that no call above asked about.
  void check_unknown_keys() const;

 private:
  void check_table(const toml::table& table, const Path& path) const;
  [[nodiscard]] std::vector<std::string> known_children(const Path& path) const;

  std::string source_;
  toml::table root_;
  std::set<Path> known_keys_;
  std::set<Path> known_tables_;  // every proper prefix of a known key, and declared sections
};

/// "an integer", "a string", ... for messages.
[[nodiscard]] std::string_view type_name(const toml::node& node);

}  // namespace errand::config
