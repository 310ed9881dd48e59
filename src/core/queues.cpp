#include <errand/error.hpp>
#include <errand/queues.hpp>

#include "core/text.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace errand {

void validate_queue_name(std::string_view name) {
  constexpr std::size_t max_length = 256;
  if (name.empty()) throw ConfigError("errand: a queue name must not be empty");
  if (name.size() > max_length) {
    throw ConfigError(fmt::format("errand: queue name {} is {} bytes long; the limit is {}", detail::preview(name, 40),
                                  name.size(), max_length));
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      throw ConfigError(fmt::format("errand: queue name {} contains a control character; use printable text",
                                    detail::preview(name, 40)));
    }
  }
}

QueueList::QueueList(std::initializer_list<std::string> names) : QueueList(strict(std::vector<std::string>(names))) {}

QueueList QueueList::strict(std::vector<std::string> names) {
  std::vector<std::pair<std::string, int>> weights;
  weights.reserve(names.size());
  for (auto& name : names) weights.emplace_back(std::move(name), 1);
  return QueueList(Mode::strict, std::move(weights));
}

QueueList QueueList::weighted(std::vector<std::pair<std::string, int>> weights) {
  for (const auto& [name, weight] : weights) {
    if (weight < 1) {
      throw ConfigError(fmt::format("errand: queue \"{}\" has weight {}; weights must be at least 1", name, weight));
    }
  }
  return QueueList(Mode::weighted, std::move(weights));
}

QueueList::QueueList(Mode mode, std::vector<std::pair<std::string, int>> weights)
    : mode_(mode), weights_(std::move(weights)) {
  if (weights_.empty()) throw ConfigError("errand: a processor needs at least one queue");
  for (const auto& [name, weight] : weights_) {
    validate_queue_name(name);
    auto it = std::find(names_.begin(), names_.end(), name);
    if (it != names_.end()) {
      throw ConfigError(fmt::format("errand: queue \"{}\" is listed twice; give it once, with its weight", name));
    }
    names_.push_back(name);
    for (int i = 0; i < weight; ++i) expanded_.push_back(names_.size() - 1);
  }
}

std::vector<std::string> QueueList::fetch_order(std::mt19937_64& rng) const {
  if (mode_ == Mode::strict || names_.size() == 1) return names_;
  // Sidekiq's weighted order: shuffle the list in which each queue appears `weight`
  // times, then keep each queue's first appearance.
  std::vector<std::size_t> shuffled = expanded_;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::vector<bool> seen(names_.size(), false);
  std::vector<std::string> order;
  order.reserve(names_.size());
  for (const std::size_t index : shuffled) {
    if (seen[index]) continue;
    seen[index] = true;
    order.push_back(names_[index]);
  }
  return order;
}

}  // namespace errand
