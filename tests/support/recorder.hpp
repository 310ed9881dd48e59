// A thread-safe list of what jobs saw, for tests that run them on several threads.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace errand::test {

class Recorder {
 public:
  void add(std::string item) {
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(item));
  }
  [[nodiscard]] std::vector<std::string> get() const {
    std::lock_guard lock(mutex_);
    return items_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    items_.clear();
  }
  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> items_;
};

}  // namespace errand::test
