// The client: puts jobs on queues, exactly as Ruby's Sidekiq::Client does.
//
//   errand::Client client{store};
//   client.enqueue<Welcome>(42);                          // run soon
//   client.enqueue_in<Welcome>(std::chrono::hours{1}, 42); // run in an hour
//   client.with({.queue = "critical"}).enqueue<Welcome>(7);
//   client.enqueue_bulk<Welcome>({{1}, {2}, {3}});         // one round trip
//   client.enqueue_raw("Workers::RubyOnly", "default", json::array{1, "x"});
//
// A Client is cheap to copy (copies share the store and the middleware) and safe to use
// from many threads once configured.
#pragma once

#include <errand/job.hpp>
#include <errand/middleware.hpp>
#include <errand/options.hpp>
#include <errand/store.hpp>
#include <errand/worker.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace errand {

class Client {
 public:
  /// Writes payloads in the store's Sidekiq format (Store::sidekiq_version).
  explicit Client(std::shared_ptr<Store> store);

  /// Enqueues a job for worker W. The arguments are converted to W::perform's parameter
  /// types. Returns the jid, or nullopt when a client middleware stopped the push.
  template <class W, class... A>
  std::optional<std::string> enqueue(A&&... args) const {
    return push(make_job<W>(FieldOrder::args_first, std::forward<A>(args)...), format_of<W>());
  }

  /// Enqueues a job to run after `delay` (≤ 0: now).
  template <class W, class... A>
  std::optional<std::string> enqueue_in(Clock::duration delay, A&&... args) const {
    return enqueue_at<W>(Clock::now() + delay, std::forward<A>(args)...);
  }

  /// Enqueues a job to run at `when` (in the past: now).
  template <class W, class... A>
  std::optional<std::string> enqueue_at(TimePoint when, A&&... args) const {
    Job job = make_job<W>(FieldOrder::class_first, std::forward<A>(args)...);
    job.set("at", epoch_seconds(when));
    return push(std::move(job), format_of<W>());
  }

  /// Enqueues one job per argument tuple in one round trip. Returns the jids pushed.
  template <class W>
  std::vector<std::string> enqueue_bulk(const std::vector<typename WorkerTraits<W>::args_tuple>& jobs) const {
    std::vector<Job> batch;
    batch.reserve(jobs.size());
    for (const auto& args : jobs) {
      batch.push_back(std::apply([this](const auto&... a) { return make_job<W>(FieldOrder::args_first, a...); }, args));
    }
    return push_bulk(std::move(batch), format_of<W>());
  }

  /// Enqueues a job for any class, e.g. one only Ruby workers run.
  std::optional<std::string> enqueue_raw(std::string_view class_name, std::string_view queue, json::array args) const;

  /// Enqueues a job given as its payload fields, normalized as Sidekiq::Client.push does:
  /// `class` and `args` are required; `queue` defaults to "default", `retry` to true;
  /// `jid` and `created_at` are filled in when absent; `at` (epoch seconds) schedules it.
  /// Throws errand::PayloadError for an invalid job.
  /// With JobFormat::roadster the job is stored as Roadster's envelope (after the
  /// middleware, which always sees Sidekiq's fields).
  std::optional<std::string> push(Job job, JobFormat format = JobFormat::sidekiq) const;
  /// push() for many jobs in one round trip. Returns the jids pushed.
  std::vector<std::string> push_bulk(std::vector<Job> jobs, JobFormat format = JobFormat::sidekiq) const;

  /// What push() would store for `job` at `now` (normalized, through the middleware)
  /// without storing it; nullopt when a middleware stopped it. For code that stores a
  /// job in one atomic step with other writes: a periodic tick.
  [[nodiscard]] std::optional<JobInsert> prepare_push(Job job, TimePoint now,
                                                      JobFormat format = JobFormat::sidekiq) const {
    return prepare(std::move(job), now, format);
  }

  /// A client whose jobs take `overrides` on top of each worker's options.
  [[nodiscard]] Client with(JobOptions overrides) const;
  /// A client with the same middleware and options that pushes to `store`, e.g. a
  /// Postgres transaction's view (errand::postgres_transaction).
  [[nodiscard]] Client with_store(std::shared_ptr<Store> store) const;

  /// Adds a client middleware (runs for every job pushed, in order of addition).
  /// Configure before sharing the client between threads.
  void use(ClientMiddleware middleware);

  [[nodiscard]] Store& store() const noexcept { return *state_->store; }

 private:
  struct State {
    std::shared_ptr<Store> store;
    ClientMiddlewareChain middleware;
  };

  /// Ruby's `perform_async` writes "args" before "class", `perform_in` the other way
  /// round; errand writes what Ruby writes for the same call.
  enum class FieldOrder { args_first, class_first };

  template <class W, class... A>
  Job make_job(FieldOrder order, A&&... args) const {
    return build_job(WorkerTraits<W>::options(), WorkerTraits<W>::class_name(),
                     WorkerTraits<W>::encode_args(std::forward<A>(args)...), order);
  }
  template <class W>
  [[nodiscard]] JobFormat format_of() const {
    return WorkerTraits<W>::options().merged_with(overrides_).format.value_or(JobFormat::sidekiq);
  }
  [[nodiscard]] Job build_job(const JobOptions& worker_options, std::string class_name, json::array args,
                              FieldOrder order) const;
  /// Normalizes, runs middleware; returns the insert, or nullopt when stopped.
  [[nodiscard]] std::optional<JobInsert> prepare(Job job, TimePoint now, JobFormat format) const;

  std::shared_ptr<State> state_;
  JobOptions overrides_;
};

}  // namespace errand
