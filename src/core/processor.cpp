// Processor's public face; its parts live in processor_impl.hpp.
#include <errand/error.hpp>
#include <errand/processor.hpp>

#include "core/processor_impl.hpp"

#include <fmt/format.h>

namespace errand {

namespace {
ProcessorOptions validated(ProcessorOptions options) {
  if (options.concurrency < 1 || options.concurrency > 10'000) {
    throw ConfigError(fmt::format("errand: concurrency must be between 1 and 10000, got {}", options.concurrency));
  }
  if (options.shutdown_timeout.count() < 0) throw ConfigError("errand: shutdown_timeout must not be negative");
  const auto at_least = [](std::string_view name, std::chrono::milliseconds value, std::chrono::milliseconds min) {
    if (value < min) {
      throw ConfigError(fmt::format("errand: ProcessorOptions::{} is {} ms; it must be at least {} ms (shorter "
                                    "intervals spend a core on bookkeeping)",
                                    name, value.count(), min.count()));
    }
  };
  using Limits = ProcessorOptions;
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
