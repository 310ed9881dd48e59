// Queue lists from TOML (`["a", "b"]`, `[["a", 6], ["b", 4]]`) and from ERRAND_QUEUES
// ("a,b" or "a:6,b:4"), with Sidekiq's rule: any weight given makes the list weighted.
#pragma once

#include "config/toml_reader.hpp"

#include <errand/queues.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace errand::config {

/// The queues at `path`; nullopt when absent. ConfigError, with the line, for an empty
/// list, an empty or repeated name, or a weight that is not an integer >= 1.
[[nodiscard]] std::optional<QueueList> read_queues(TomlReader& reader, const Path& path);

/// Parses ERRAND_QUEUES-style text; `origin` names the variable in errors.
[[nodiscard]] QueueList parse_queue_text(std::string_view text, std::string_view origin);

/// `weights` as a QueueList, weighted or strict, errors prefixed with `origin`.
[[nodiscard]] QueueList make_queue_list(std::vector<std::pair<std::string, int>> weights, bool weighted,
                                        std::string_view origin);

}  // namespace errand::config
