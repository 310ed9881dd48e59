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
void Processor::run_until_signal() { impl_->run_until_signal(); }
ProcessorStats Processor::stats() const { return impl_->stats(); }
const std::string& Processor::identity() const { return impl_->identity(); }

}  // namespace errand
