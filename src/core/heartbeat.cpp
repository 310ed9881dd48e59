#include "core/heartbeat.hpp"

#include <errand/json.hpp>
#include <errand/version.hpp>

#include "core/log.hpp"
#include "core/sleep.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <random>

namespace errand::detail {
namespace {

std::string hostname() {
  if (const char* dyno = std::getenv("DYNO"); dyno != nullptr && *dyno != '\0') return dyno;
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "localhost";
  return name.data();
}

/// Resident set size in KB, as Sidekiq reports it (0 when unknown).
std::int64_t rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

std::chrono::milliseconds beat_interval(const ProcessorOptions& options, SidekiqVersion version) {
  if (options.heartbeat_interval) return *options.heartbeat_interval;
  return version == SidekiqVersion::v6 ? std::chrono::seconds(5) : std::chrono::seconds(10);
}

}  // namespace

std::string make_process_identity() {
  std::mt19937_64 rng(std::random_device{}());
  return fmt::format("{}:{}:{:012x}", hostname(), getpid(), rng() & 0xffff'ffff'ffffULL);
}

Heartbeat::Heartbeat(Store& store, Logger& logger, const ProcessorOptions& options, const Counters& counters,
                     std::string identity, std::mutex& leases, Hooks hooks)
    : store_(store), logger_(logger), options_(options), counters_(counters), identity_(std::move(identity)),
      leases_(leases), hooks_(std::move(hooks)) {
  info_ = info_json();
}

std::string Heartbeat::info_json() const {
  json::object info;
  info.emplace("hostname", hostname());
  info.emplace("started_at", epoch_seconds(Clock::now()));
  info.emplace("pid", static_cast<std::int64_t>(getpid()));
  info.emplace("tag", options_.tag);
  info.emplace("concurrency", options_.concurrency);
  json::array queues;
  for (const auto& name : options_.queues.names()) queues.emplace_back(name);
  info.emplace("queues", std::move(queues));
  json::array labels;
  for (const auto& label : options_.labels) labels.emplace_back(label);
  info.emplace("labels", std::move(labels));
  info.emplace("identity", identity_);
  info.emplace("version", fmt::format("errand {}", version));
  return to_json(info);
}

void Heartbeat::beat() {
  const std::uint64_t processed = counters_.processed.load();
  const std::uint64_t failed = counters_.failed.load();
  ProcessBeatParams params;
  params.identity = identity_;
  params.info_json = info_;
  params.busy = hooks_.busy();
  std::unique_lock leases(leases_, std::defer_lock);
  if (store_.capabilities().leases) {
    leases.lock();
    params.held = hooks_.held();
  }
  params.processed = processed - processed_flushed_;
  params.failed = failed - failed_flushed_;
  params.quiet = hooks_.quiet();
  params.rss_kb = rss_kb();
  const auto interval = beat_interval(options_, store_.sidekiq_version());
  params.liveness_ttl = std::max<std::chrono::milliseconds>(3 * interval, std::chrono::seconds(1));
  const ProcessBeatResult result = store_.process_beat(params);
  if (leases.owns_lock()) leases.unlock();
  // Counted only once stored; after a failed beat the next one carries them.
  processed_flushed_ = processed;
  failed_flushed_ = failed;
  if (!registered_) {
    registered_ = true;
    hooks_.on_registered();
  }
  for (const auto& signal : result.signals) {
    log_safely(logger_, LogLevel::info, [&] { return fmt::format("errand: received {} from the dashboard", signal); });
    hooks_.on_signal(signal);
  }
}

void Heartbeat::run(std::stop_token stop) {
  const auto interval = beat_interval(options_, store_.sidekiq_version());
  while (!stop.stop_requested()) {
    try {
      beat();
    } catch (const std::exception& e) {
      log_safely(logger_, LogLevel::error, [&] { return fmt::format("errand: heartbeat failed: {}", e.what()); });
    }
    sleep_for(interval, stop);
  }
  try {
    beat();  // the last counts
    store_.process_stop({.identity = identity_});
  } catch (const std::exception& e) {
    log_safely(logger_, LogLevel::error, [&] {
      return fmt::format("errand: final heartbeat failed: {}; the process entry expires within 60 s", e.what());
    });
  }
}

}  // namespace errand::detail
