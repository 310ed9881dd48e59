// Which queues a processor works, and in which order it checks them (Sidekiq's semantics).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace errand {

class QueueList {
 public:
  /// The heaviest weight: a queue weighted 1,000,000 next to one weighted 1 comes first
  /// all but once in a million fetches.
  static constexpr int max_weight = 1'000'000;
  /// The longest queue name, in bytes.
  static constexpr std::size_t max_name_bytes = 256;

  enum class Mode {
    strict,    ///< always in the order given: the first queue drains before the second
    weighted,  ///< a random order each fetch, a queue's chance of being first ∝ its weight
  };

  /// Strict order: `QueueList{"critical", "default", "low"}`.
  QueueList(std::initializer_list<std::string> names);  // NOLINT(google-explicit-constructor)
  [[nodiscard]] static QueueList strict(std::vector<std::string> names);
  /// Weighted order: `QueueList::weighted({{"critical", 6}, {"default", 4}})`.
  /// Weights are 1 to max_weight. Equal weights give a fair random order.
  [[nodiscard]] static QueueList weighted(std::vector<std::pair<std::string, int>> weights);

  [[nodiscard]] Mode mode() const noexcept { return mode_; }
  /// Each queue once, in the order given.
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }
  [[nodiscard]] const std::vector<std::pair<std::string, int>>& weights() const noexcept { return weights_; }

  /// The order to check queues in for one fetch.
  [[nodiscard]] std::vector<std::string> fetch_order(std::mt19937_64& rng) const;

 private:
  QueueList(Mode mode, std::vector<std::pair<std::string, int>> weights);
  Mode mode_;
  std::vector<std::pair<std::string, int>> weights_;
  std::vector<std::string> names_;
};

/// Throws errand::ConfigError unless `name` is a usable queue name (non-empty, at most
/// QueueList::max_name_bytes bytes, no control characters).
void validate_queue_name(std::string_view name);

}  // namespace errand
