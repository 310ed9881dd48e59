// `run`: one processor per chosen store, all with the application's workers, until TERM/INT
// (errand::run_until_signal over them all).
#include "cli/commands.hpp"
#include "cli/store_choice.hpp"
#include "core/signals.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <memory>

namespace errand::cli {
namespace {

/// `-q critical,2 -q default`: weighted as soon as one queue has a weight (Sidekiq's rule).
QueueList parse_queues(const std::vector<std::string>& specs) {
  std::vector<std::pair<std::string, int>> weights;
  bool weighted = false;
  for (const auto& spec : specs) {
    const auto comma = spec.rfind(',');
    if (comma == std::string::npos) {
      weights.emplace_back(spec, 1);
      continue;
    }
    const std::string weight_text = spec.substr(comma + 1);
    int weight = 0;
    const auto [end, ec] = std::from_chars(weight_text.data(), weight_text.data() + weight_text.size(), weight);
    if (ec != std::errc{} || end != weight_text.data() + weight_text.size() || weight < 1 ||
        weight > QueueList::max_weight) {
      throw UsageError(fmt::format("errand: -q {:?}: the weight {:?} is not a whole number from 1 to {}; write "
                                   "-q NAME or -q NAME,WEIGHT (e.g. -q critical,2)",
                                   spec, weight_text, QueueList::max_weight));
    }
    weights.emplace_back(spec.substr(0, comma), weight);
    weighted = true;
  }
  if (weighted) return QueueList::weighted(std::move(weights));
  std::vector<std::string> names;
  for (auto& [name, weight] : weights) names.push_back(std::move(name));
  return QueueList::strict(std::move(names));
}

void apply(const RunOptions& options, ProcessorOptions& processor) {
  if (options.concurrency) processor.concurrency = *options.concurrency;
  if (!options.queues.empty()) processor.queues = parse_queues(options.queues);
  if (options.timeout_seconds) {
    // As the configuration's shutdown-timeout: whole milliseconds, up to a year, and a
    // fraction of a millisecond is not silently 0 (no wait at all).
    const double seconds = *options.timeout_seconds;
    constexpr double year = 365.0 * 24 * 3600;
    if (!(seconds >= 0) || seconds > year) {
      throw UsageError(fmt::format("errand: -t {}: give the seconds a stop waits for running jobs, from 0 to a year",
                                   seconds));
    }
    const auto ms = static_cast<std::int64_t>(seconds * 1000);
    if (seconds > 0 && ms < 1) {
      throw UsageError(fmt::format("errand: -t {}: less than a millisecond; give 0 (running jobs are pushed back at "
                                   "once) or at least 0.001",
                                   seconds));
    }
    processor.shutdown_timeout = std::chrono::milliseconds(ms);
  }
}

/// The application's workers with their per-worker settings from the configuration
/// (`[service.worker.workers."Class"]`): max-retries becomes the worker's retry option,
/// timeout and max-duration its timeout option; they apply to jobs whose payload does
/// not say (Roadster's envelope never does).
WorkerRegistry with_configured_settings(const WorkerRegistry& registry, const Config& config) {
  WorkerRegistry workers = registry;
  for (const auto& [class_name, settings] : config.workers) {
    JobOptions overrides;
    if (settings.max_retries) overrides.retry = *settings.max_retries;
    if (settings.timeout || settings.max_duration) {
      overrides.timeout = config.job_timeout(class_name).value_or(std::chrono::milliseconds(0));
    }
    (void)workers.override_options(class_name, overrides);
  }
  return workers;
}

}  // namespace

int run_command(const CommonOptions& common, const RunOptions& options, const WorkerRegistry& registry,
                const Options& cli_options, Streams /*streams*/) {
  if (registry.size() == 0) {
    throw UsageError("errand: `run` has no workers to run: this program registered none. The `errand` executable "
                     "only administers stores; build your own program that registers your workers and calls "
                     "errand::cli::main(argc, argv, registry) (examples/cli_app.cpp, docs/cli.md)");
  }
  const detail::ShutdownSignalsBlocked block;  // before any store or processor starts a thread
  std::vector<BackendConfig> backends = chosen_backends(common);
  const WorkerRegistry workers = with_configured_settings(registry, load_config(common));
  std::vector<std::unique_ptr<Processor>> processors;
  for (auto& backend : backends) {
    apply(options, backend.processor);
    auto processor = std::make_unique<Processor>(connect(backend), backend.processor);
    processor->registry() = workers;
    if (cli_options.configure_processor) cli_options.configure_processor(*processor, backend);
    processors.push_back(std::move(processor));
  }
  std::vector<Processor*> group;
  for (const auto& processor : processors) group.push_back(processor.get());
  run_until_signal(group);  // a second TERM/INT pushes the running jobs back on every store, then exits 1
  return exit_ok;
}

}  // namespace errand::cli
