#include "measure.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace errand::bench {

namespace {

double seconds_of(const timeval& t) noexcept { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

/// Fields of /proc/<pid>/stat after the command name: index 0 is the state (field 3).
std::optional<std::vector<std::string>> stat_fields(const std::filesystem::path& stat_file) {
  std::ifstream in(stat_file);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  const auto close = line.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 15) return std::nullopt;
  return fields;
}

// Indexes into stat_fields(): stat(5) numbers fields from 1 and the state is field 3.
constexpr std::size_t ppid_field = 4 - 3;
constexpr std::size_t utime_field = 14 - 3;
constexpr std::size_t cutime_field = 16 - 3;

double ticks_to_seconds(const std::vector<std::string>& fields, std::size_t first, std::size_t count) {
  const auto ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  double ticks = 0;
  for (std::size_t i = first; i < first + count; ++i) ticks += std::stod(fields[i]);
  return ticks / ticks_per_second;
}

}  // namespace

std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

double cpu_seconds() noexcept {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
}

std::optional<double> process_tree_cpu_seconds(int pid) {
  if (pid <= 0) return std::nullopt;
  const auto own = stat_fields("/proc/" + std::to_string(pid) + "/stat");
  if (!own) return std::nullopt;
  // utime + stime, then cutime + cstime: the children it has reaped.
  double total = ticks_to_seconds(*own, utime_field, 2) + ticks_to_seconds(*own, cutime_field, 2);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    const auto child = stat_fields(entry.path() / "stat");
    if (child && std::stoi((*child)[ppid_field]) == pid) total += ticks_to_seconds(*child, utime_field, 2);
  }
  return total;
}

MemoryStatus memory_status() {
  MemoryStatus status;
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    const auto read_kb = [&](std::string_view key, std::int64_t& out) {
      if (line.rfind(key, 0) == 0) out = std::stoll(line.substr(key.size()));
    };
    read_kb("VmRSS:", status.rss_kb);
    read_kb("VmHWM:", status.hwm_kb);
    read_kb("RssAnon:", status.anon_kb);
  }
  return status;
}

bool reset_peak_rss() noexcept {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

Percentiles percentiles(std::vector<double> samples) {
  Percentiles p;
  if (samples.empty()) return p;
  std::sort(samples.begin(), samples.end());
  const auto rank = [&](double q) {
    const auto n = static_cast<double>(samples.size());
    const auto index = static_cast<std::size_t>(std::max(1.0, std::ceil(q * n))) - 1;
    return samples[std::min(index, samples.size() - 1)];
  };
  p.p50 = rank(0.50);
  p.p90 = rank(0.90);
  p.p99 = rank(0.99);
  p.max = samples.back();
  return p;
}

}  // namespace errand::bench
