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
  [[nodiscard]] std::string processes() const { return prefix_ + "processes"; }
  /// The process hash; its name is the identity itself.
  [[nodiscard]] std::string process(std::string_view identity) const { return join(identity, ""); }
  /// The busy-jobs hash: `<identity>:workers` (Sidekiq ≤ 6.4) or `<identity>:work` (6.5+).
  [[nodiscard]] std::string busy(std::string_view identity, std::string_view suffix) const {
    return join(identity, suffix);
  }
  [[nodiscard]] std::string signals(std::string_view identity) const { return join(identity, "-signals"); }
  /// `stat:processed`, or `stat:processed:2026-11-23` with a date.
  [[nodiscard]] std::string stat(std::string_view name, std::string_view date = {}) const {
    std::string key = join("stat:", name);
    if (!date.empty()) key.append(":").append(date);
    return key;
  }
  /// Reliable fetch: a process's in-progress list, the registry of processes that have
  /// one, and the key whose expiry says a process is gone.
  [[nodiscard]] std::string in_progress(std::string_view owner) const { return join("errand:wip:", owner); }
  [[nodiscard]] std::string in_progress_owners() const { return prefix_ + "errand:wip"; }
  [[nodiscard]] std::string alive(std::string_view owner) const { return join("errand:alive:", owner); }

  /// The prefix itself ("ns:" or ""), for scripts that build keys.
  [[nodiscard]] const std::string& prefix() const noexcept { return prefix_; }

  /// The queue name in a `queue:<name>` key, or "" if `key` is not one.
  [[nodiscard]] std::string_view queue_name(std::string_view key) const {
    const std::string_view marker = "queue:";
    if (key.substr(0, prefix_.size()) != prefix_) return {};
    key.remove_prefix(prefix_.size());
    if (key.substr(0, marker.size()) != marker) return {};
    return key.substr(marker.size());
  }

 private:
  [[nodiscard]] std::string join(std::string_view a, std::string_view b) const {
    std::string key;
    key.reserve(prefix_.size() + a.size() + b.size());
    key.append(prefix_).append(a).append(b);
    return key;
  }

  std::string prefix_;
};

}  // namespace errand::redis
