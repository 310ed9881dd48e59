// One measurement as one row of the benchmark CSV, shared with the peers' scripts
// (bench/peers, bench/ceilings). The schema is in docs/benchmarks.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace errand::bench {

inline constexpr std::string_view csv_header =
    "system,version,store,scenario,concurrency,jobs,seconds,jobs_per_sec,p50_ms,p90_ms,p99_ms,max_ms,"
    "rss_mb,cpu_s_per_1k,round_trips_per_job,bytes_per_job,notes";

struct ResultRow {
  std::string store;
  std::string scenario;
  int concurrency = 1;
  std::int64_t jobs = 0;
  double seconds = 0;
  std::optional<double> jobs_per_sec;
  std::optional<double> p50_ms, p90_ms, p99_ms, max_ms;
  std::optional<double> rss_mb;
  std::optional<double> cpu_s_per_1k;
  std::optional<double> round_trips_per_job;
  std::optional<double> bytes_per_job;
  /// `key=value` words, joined by spaces (never commas) in the notes column.
  std::vector<std::string> notes;

  void note(std::string_view key, std::string_view value);
  void note(std::string_view key, double value, int decimals = 3);
};

/// The row as CSV text (no newline): system errand, errand's version.
[[nodiscard]] std::string format_row(const ResultRow& row);

/// Appends the row to `path`, writing the header first when the file is new or empty.
/// An empty path prints the header and the row to stdout. Throws std::runtime_error
/// when the file cannot be written.
void append_row(const std::string& path, const ResultRow& row);

}  // namespace errand::bench
