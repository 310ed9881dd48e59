#include "cli/table.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace errand::cli {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

/// Width in code points (UTF-8), close enough to terminal columns for job data.
std::size_t width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
}

std::string cleaned(std::string text) {
  for (char& c : text) {
    if (std::iscntrl(static_cast<unsigned char>(c)) != 0) c = ' ';
  }
  if (width(text) <= Table::max_cell) return text;
  std::size_t kept = 0;
  std::size_t i = 0;
  for (; i < text.size(); ++i) {
    if (!is_continuation(text[i]) && ++kept > Table::max_cell - 3) break;
  }
  text.resize(i);
  return text + "...";
}

void pad(std::ostream& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.put(' ');
}

void print_row(std::ostream& out, const std::vector<std::string>& cells, const std::vector<std::size_t>& widths) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    out << cells[i];
    if (i + 1 < cells.size()) pad(out, widths[i] - width(cells[i]) + 2);
  }
  out << '\n';
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {
  for (auto& h : headers_) {
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
}

void Table::add(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& cell : cells) cell = cleaned(std::move(cell));
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) widths[i] = width(headers_[i]);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  }
  print_row(out, headers_, widths);
  for (const auto& row : rows_) print_row(out, row, widths);
}

void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t name_width = 0;
  for (const auto& field : fields) name_width = std::max(name_width, width(field.first));
  for (const auto& [name, value] : fields) {
    out << name;
    pad(out, name_width - width(name) + 2);
    out << value << '\n';
  }
}

}  // namespace errand::cli
