// Sidekiq's Redis key names, with the optional redis-namespace prefix.
#pragma once

#include <string>
#include <string_view>

namespace errand::redis {

class Keys {
 public:
  explicit Keys(std::string key_namespace)
      : prefix_(key_namespace.empty() ? std::string() : std::move(key_namespace) + ":") {}

  [[nodiscard]] std::string queues() const { return prefix_ + "queues"; }
  [[nodiscard]] std::string queue(std::string_view name) const {
    std::string key;
    key.reserve(prefix_.size() + 6 + name.size());
    key.append(prefix_).append("queue:").append(name);
    return key;
  }
  [[nodiscard]] std::string schedule() const { return prefix_ + "schedule"; }
  [[nodiscard]] std::string retry() const { return prefix_ + "retry"; }
  [[nodiscard]] std::string dead() const { return prefix_ + "dead"; }

  /// The queue name in a `queue:<name>` key, or "" if `key` is not one.
  [[nodiscard]] std::string_view queue_name(std::string_view key) const {
    const std::string_view marker = "queue:";
    if (key.substr(0, prefix_.size()) != prefix_) return {};
    key.remove_prefix(prefix_.size());
    if (key.substr(0, marker.size()) != marker) return {};
    return key.substr(marker.size());
  }

 private:
  std::string prefix_;
};

}  // namespace errand::redis
