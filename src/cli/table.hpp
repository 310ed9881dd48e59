// Aligned text tables for the admin commands' human-readable output.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace errand::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  /// Adds a row (as many cells as headers). Control characters become spaces, and a
  /// cell longer than `max_cell` characters is cut with "...".
  void add(std::vector<std::string> cells);
  [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }

  /// Headers in capitals, columns two spaces apart, the last one not padded.
  void print(std::ostream& out) const;

  static constexpr std::size_t max_cell = 60;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

/// `name value` lines with the names aligned, for single records (stats).
void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace errand::cli
