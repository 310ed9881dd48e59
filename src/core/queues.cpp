#include <errand/error.hpp>
#include <errand/queues.hpp>

#include "core/text.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace errand {

void validate_queue_name(std::string_view name) {
  constexpr std::size_t max_length = QueueList::max_name_bytes;
  if (name.empty()) throw ConfigError("errand: a queue name must not be empty");
  if (name.size() > max_length) {
    throw ConfigError(fmt::format("errand: queue name {} is {} bytes long; the limit is {} bytes: shorten it",
                                  detail::preview(name, 40), name.size(), max_length));
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
    if (weight < 1 || weight > max_weight) {
      throw ConfigError(fmt::format("errand: queue {} has weight {}; a weight is a whole number from 1 to {}",
                                    detail::preview(name, 40), weight, max_weight));
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
  }
}

std::vector<std::string> QueueList::fetch_order(std::mt19937_64& rng) const {
  if (mode_ == Mode::strict || names_.size() == 1) return names_;
  // Sidekiq's weighted order shuffles a list in which each queue appears `weight` times
  // and keeps each queue's first appearance: the first queue is drawn with a chance ∝
  // its weight, the next from the rest the same way, and so on. The same draw without
  // the list, whose length is the sum of the weights: each queue gets a random time
  // with rate `weight` (exponential), and the queues go in the order of their times.
  std::exponential_distribution<double> time(1.0);
  std::vector<std::pair<double, std::size_t>> drawn;
  drawn.reserve(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) {
    drawn.emplace_back(time(rng) / static_cast<double>(weights_[i].second), i);
  }
  std::sort(drawn.begin(), drawn.end());
  std::vector<std::string> order;
  order.reserve(names_.size());
  for (const auto& entry : drawn) order.push_back(names_[entry.second]);
  return order;
}

}  // namespace errand
