// Processor's public face; its parts live in processor_impl.hpp.
#include <errand/error.hpp>
#include <errand/processor.hpp>

#include "core/processor_impl.hpp"

#include <fmt/format.h>

namespace errand {

namespace {
ProcessorOptions validated(ProcessorOptions options) {
  using Limits = ProcessorOptions;
  if (options.concurrency < 1 || options.concurrency > Limits::max_concurrency) {
    throw ConfigError(fmt::format("errand: ProcessorOptions::concurrency is {}; it must be from 1 to {} (the threads "
                                  "running jobs: num-workers in the config, ERRAND_CONCURRENCY)",
                                  options.concurrency, Limits::max_concurrency));
  }
  if (options.shutdown_timeout.count() < 0) {
    throw ConfigError(fmt::format("errand: ProcessorOptions::shutdown_timeout is {} ms; it must be at least 0 ms "
                                  "(0: stop() pushes running jobs back at once)",
                                  options.shutdown_timeout.count()));
  }
  if (options.job_timeout && options.job_timeout->count() < 0) {
    throw ConfigError(fmt::format("errand: ProcessorOptions::job_timeout is {} ms; it must be at least 0 ms (0 or "
                                  "unset: no limit)",
                                  options.job_timeout->count()));
  }
  if (options.retry.max_retries < 0) {
    throw ConfigError(fmt::format("errand: ProcessorOptions::retry.max_retries is {}; it must be at least 0 (0: a "
                                  "failed job goes straight to the dead set)",
                                  options.retry.max_retries));
  }
  if (options.retry.dead.max_age < std::chrono::seconds(1) || options.retry.dead.max_age > Limits::max_dead_age) {
    throw ConfigError(fmt::format("errand: ProcessorOptions::retry.dead.max_age is {} s; it must be at least 1 s and "
                                  "at most {} s, a hundred years (dead-timeout-in-seconds in the config)",
                                  options.retry.dead.max_age.count(), Limits::max_dead_age.count()));
  }
  const auto at_least = [](std::string_view name, std::chrono::milliseconds value, std::chrono::milliseconds min) {
    if (value < min) {
      throw ConfigError(fmt::format("errand: ProcessorOptions::{} is {} ms; it must be at least {} ms (shorter "
                                    "intervals spend a core on bookkeeping)",
                                    name, value.count(), min.count()));
    }
  };
  if (options.heartbeat_interval) at_least("heartbeat_interval", *options.heartbeat_interval, Limits::min_heartbeat_interval);
  if (options.poll_interval_average) {
    at_least("poll_interval_average", *options.poll_interval_average, Limits::min_poll_interval);
  }
  at_least("average_scheduled_poll_interval", options.average_scheduled_poll_interval, Limits::min_poll_interval);
  return options;
}
}  // namespace

Processor::Processor(std::shared_ptr<Store> store, ProcessorOptions options) {
  if (!store) throw ConfigError("errand: Processor needs a store (errand::connect(url) makes one)");
  impl_ = std::make_unique<Impl>(std::move(store), validated(std::move(options)));
}

Processor::~Processor() {
  if (impl_) impl_->stop();
}

void Processor::register_handler(std::string class_name, JobHandler handler, JobOptions options,
                                 RetryInHook retry_in) {
  registry().add_handler(std::move(class_name), std::move(options), std::move(handler), std::move(retry_in));
}

void Processor::use(ServerMiddleware middleware) { impl_->middleware().add(std::move(middleware)); }
WorkerRegistry& Processor::registry() { return impl_->registry(); }
void Processor::start() { impl_->start(); }
void Processor::quiet() { impl_->quiet(); }
void Processor::stop() { (void)impl_->stop(); }
void Processor::run_until_signal() { errand::run_until_signal({this}); }
ProcessorStats Processor::stats() const { return impl_->stats(); }
const std::string& Processor::identity() const { return impl_->identity(); }

}  // namespace errand
