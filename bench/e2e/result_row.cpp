#include "result_row.hpp"

#include <errand/version.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace errand::bench {

namespace {

std::string number(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);  // '.' decimal point: the C locale
  return text;
}

std::string cell(const std::optional<double>& value, int decimals) { return value ? number(*value, decimals) : ""; }

}  // namespace

void ResultRow::note(std::string_view key, std::string_view value) {
  notes.push_back(std::string(key) + "=" + std::string(value));
}

void ResultRow::note(std::string_view key, double value, int decimals) { note(key, number(value, decimals)); }

std::string format_row(const ResultRow& row) {
  std::string notes;
  for (const auto& n : row.notes) {
    if (!notes.empty()) notes += ' ';
    for (const char c : n) notes += (c == ',' || c == '"' || c == '\n') ? ';' : c;
  }
  std::string out = "errand," + std::string(errand::version) + "," + row.store + "," + row.scenario + ",";
  out += std::to_string(row.concurrency) + "," + std::to_string(row.jobs) + "," + number(row.seconds, 3) + ",";
  out += cell(row.jobs_per_sec, 1) + ",";
  out += cell(row.p50_ms, 3) + "," + cell(row.p90_ms, 3) + "," + cell(row.p99_ms, 3) + "," + cell(row.max_ms, 3) + ",";
  out += cell(row.rss_mb, 1) + "," + cell(row.cpu_s_per_1k, 4) + ",";
  out += cell(row.round_trips_per_job, 3) + "," + cell(row.bytes_per_job, 1) + "," + notes;
  return out;
}

void append_row(const std::string& path, const ResultRow& row) {
  if (path.empty()) {
    std::cout << csv_header << '\n' << format_row(row) << '\n';
    return;
  }
  std::error_code ec;
  const bool fresh = !std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0;
  std::ofstream out(path, std::ios::app);
  if (fresh) out << csv_header << '\n';
  out << format_row(row) << '\n';
  out.flush();
  if (!out) throw std::runtime_error("errand_bench: cannot append to " + path + " (does its directory exist?)");
}

}  // namespace errand::bench
