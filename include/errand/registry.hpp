// The workers a processor knows, by Sidekiq class name.
#pragma once

#include <errand/context.hpp>
#include <errand/job.hpp>
#include <errand/options.hpp>
#include <errand/retry.hpp>
#include <errand/worker.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace errand {

/// Runs one job: decode its args and perform it. Throws to fail the job.
using JobHandler = std::function<void(const Job& job, Context& ctx)>;

class WorkerRegistry {
 public:
  struct Entry {
    std::string class_name;
    JobOptions options;
    JobHandler handler;
    RetryInHook retry_in;               ///< the worker's own retry rule, if it has one
    JobErrorHandler retries_exhausted;  ///< the worker's own, if it has one
  };

  /// Registers W under its class name; each job runs on a new default-constructed W.
  template <class W>
  void add() {
    add<W>([] { return W{}; });
  }

  /// Registers W; `factory()` makes the instance for each job (to inject dependencies).
  template <class W, class Factory>
  void add(Factory factory) {
    add_handler(WorkerTraits<W>::class_name(), WorkerTraits<W>::options(),
                [factory = std::move(factory)](const Job& job, Context& ctx) {
                  W worker = factory();
                  WorkerTraits<W>::invoke(worker, job, ctx);
                },
                WorkerTraits<W>::retry_in_hook(), WorkerTraits<W>::retries_exhausted_hook());
  }

  /// Registers an untyped handler for `class_name`. Throws errand::ConfigError when
  /// the name is empty or already registered. As in Sidekiq, `options.retry` applies
  /// only to jobs whose payload has no `retry` field: the payload's value wins.
  void add_handler(std::string class_name, JobOptions options, JobHandler handler, RetryInHook retry_in = {},
                   JobErrorHandler retries_exhausted = {});

  /// Puts `overrides` on top of the options `class_name` was registered with (e.g. a
  /// worker's settings from the configuration file). Returns false when no such worker
  /// is registered.
  bool override_options(std::string_view class_name, const JobOptions& overrides);

  /// The entry for `class_name`, or nullptr.
  [[nodiscard]] const Entry* find(std::string_view class_name) const;
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace errand
