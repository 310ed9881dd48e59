// A batch of Redis commands in wire format, sent in one write (a pipeline).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace errand::redis {

class Commands {
 public:
  /// Appends one command; arguments are binary-safe.
  void add(std::span<const std::string_view> argv);
  void add(std::initializer_list<std::string_view> argv) { add(std::span(argv.begin(), argv.size())); }

  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] const std::string& wire() const noexcept { return wire_; }

 private:
  std::string wire_;
  std::size_t count_ = 0;
};

}  // namespace errand::redis
