// A logger that keeps the warnings and errors it gets, for tests that check what was said.
#pragma once

#include <errand/logger.hpp>

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace errand::test {

class CapturingLogger final : public Logger {
 public:
  explicit CapturingLogger(LogLevel min_level = LogLevel::warn) : min_level_(min_level) {}
  void log(LogLevel level, std::string_view message) override {
    std::lock_guard lock(mutex_);
    if (level >= min_level_) lines_.emplace_back(message);
  }
  /// Whether a line holds `text`.
  bool contains(std::string_view text) const { return count(text) > 0; }
  /// How many lines hold `text`.
  std::size_t count(std::string_view text) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& line : lines_) n += line.find(text) != std::string::npos ? 1 : 0;
    return n;
  }
  /// Every line, one per line: for failure messages.
  std::string joined() const {
    std::string text;
    for (const auto& line : lines()) text += line + "\n";
    return text;
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  LogLevel min_level_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace errand::test
