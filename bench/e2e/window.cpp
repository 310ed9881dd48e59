#include "window.hpp"

#include <malloc.h>

namespace errand::bench {

Window::Window(const BenchOptions& options)
    : options_(options),
      counters_before_(read_server_counters(options.url)),
      server_cpu_before_(process_tree_cpu_seconds(options.server_pid)) {
  malloc_trim(0);  // give back what the set-up freed, so that the peak is the window's own
  peak_reset_ = reset_peak_rss();
  memory_before_ = memory_status();
  cpu_before_ = cpu_seconds();
  start_ = SteadyClock::now();
}

void Window::stop() {
  if (stopped_) return;
  stopped_ = true;
  seconds_ = seconds_since(start_);
  cpu_ = cpu_seconds() - cpu_before_;
  memory_after_ = memory_status();
  if (server_cpu_before_) {
    if (const auto now = process_tree_cpu_seconds(options_.server_pid)) server_cpu_ = *now - *server_cpu_before_;
  }
}

void Window::fill(ResultRow& row, std::int64_t jobs, Costs costs) {
  stop();
  const double thousands = static_cast<double>(jobs) / 1000.0;
  row.jobs = jobs;
  row.seconds = seconds_;
  if (seconds_ > 0) row.jobs_per_sec = static_cast<double>(jobs) / seconds_;
  row.rss_mb = static_cast<double>(memory_after_.hwm_kb) / 1024.0;
  row.note("rss_start_mb", static_cast<double>(memory_before_.rss_kb) / 1024.0, 1);
  row.note("rss_anon_mb", static_cast<double>(memory_after_.anon_kb) / 1024.0, 1);
  if (!peak_reset_) row.note("rss_peak", "since_process_start");
  if (costs == Costs::jobs) {
    const ServerCounters after = read_server_counters(options_.url);
    if (thousands > 0) row.cpu_s_per_1k = cpu_ / thousands;
    row.round_trips_per_job = per_job(counters_before_.round_trips, after.round_trips, jobs);
    row.bytes_per_job = per_job(counters_before_.bytes, after.bytes, jobs);
    if (const auto commands = per_job(counters_before_.commands, after.commands, jobs)) {
      row.note("commands_per_job", *commands);
    }
    if (server_cpu_ && thousands > 0) row.note("server_cpu_s_per_1k", *server_cpu_ / thousands, 4);
    switch (store_kind(options_.url)) {
      case StoreKind::redis: row.note("round_trips", "redis_reads"); break;
      case StoreKind::postgres: row.note("round_trips", "pg_transactions"); break;
      case StoreKind::sqlite: break;
    }
  }
  row.note("pool", options_.pool == 0 ? std::string("default") : std::to_string(options_.pool));
  if (!options_.notes.empty()) row.notes.push_back(options_.notes);
}

}  // namespace errand::bench
