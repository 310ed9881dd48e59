// Testing modes: an application's enqueues, in its own tests, without a real store — what
// Sidekiq::Testing gives a Rails app. Link errand::testing.
//
// Fake: every enqueue is captured, per worker, as a real store would have received it.
//
//   errand::testing::Fake fake;
//   fake.register_worker<Welcome>();            // as on a Processor
//   errand::Client client{fake.store()};        // the Client the code under test uses
//   sign_up(client, "a@example.com");           // enqueues Welcome(42)
//   ASSERT_EQ(fake.size<Welcome>(), 1U);
//   EXPECT_EQ(std::get<0>(fake.jobs<Welcome>()[0].args), 42);
//   fake.drain<Welcome>();                       // runs it, through the server middleware
//
// Inline: every enqueue runs its job at once, on the enqueuing thread.
//
//   errand::testing::Inline inline_jobs;
//   inline_jobs.register_worker<Welcome>();
//   errand::Client client{inline_jobs.store()};
//   client.enqueue<Welcome>(42);                 // has run when this returns
//
// Both run the real Client: client middleware, jid, created_at, enqueued_at, queue,
// worker options and JobFormat::roadster are exactly as for a real store. Both run jobs
// through the server middleware (use()) and the registered workers, as a Processor
// does, with args read back from the payload's JSON, so a job whose args do not fit its
// worker fails with errand::ArgumentError as in production. Unlike a Processor, they do
// not retry: a job's exception reaches the caller of drain(), perform_one() or, inline,
// enqueue. Timeouts are not enforced (a job's stop token never fires), and scheduled
// jobs (enqueue_in, enqueue_at) are treated as due now: Fake captures them with their
// run_at and drain runs them; Inline runs them at once. This is what Sidekiq::Testing does.
//
// Scope and threads. Each mode is an object, not a process-wide switch: the Client built
// on its store() is in that mode, every other Client is untouched, and tests can run in
// parallel. When the object is destroyed, its store refuses further enqueues with an
// errand::Error (a Client that outlives its test fails loudly, rather than enqueueing
// nowhere). Several threads may enqueue into one Fake, and drain or perform_one, at once.
// Register workers and middleware before that, as for a Processor.
//
// No `testing://` URL for errand::connect: a URL cannot say which Fake it means, so
// connect() would need a process-wide registry of them, which is the global state these
// modes avoid. Give the code under test its Store or Client (dependency injection), and
// pass fake.store() in tests; `memory://` remains for tests that want a real queue and
// a real Processor.
#pragma once

#include <errand/client.hpp>
#include <errand/job.hpp>
#include <errand/logger.hpp>
#include <errand/middleware.hpp>
#include <errand/registry.hpp>
#include <errand/store.hpp>
#include <errand/worker.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace errand::testing {

namespace detail {
class TestingStore;
class FakeStore;
}  // namespace detail

/// A job as the Client handed it to the store: after client middleware, with every
/// field a real store would have stored.
struct CapturedJob {
  std::string jid;
  std::string queue;
  std::string payload;             ///< the exact text a real store would store
  std::optional<TimePoint> run_at;  ///< enqueue_in / enqueue_at: when it was due; nullopt: now
  Job job;                          ///< the payload, parsed (Roadster's envelope, if so written)
};

/// A captured job of worker W, with its args as W::perform receives them.
template <class W>
struct TypedJob : CapturedJob {
  typename WorkerTraits<W>::args_tuple args;  ///< decoded as a Processor decodes them
};

/// What both modes share: the workers and server middleware that run jobs (the same
/// calls as on a Processor, so one setup function can configure either), and the store to
/// build a Client on. Ends the mode when destroyed.
class Scope {
 public:
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  /// The store to build the Client on: `errand::Client client{fake.store()};`.
  [[nodiscard]] std::shared_ptr<Store> store() const;

  /// Runs W's jobs on a new default-constructed W each.
  template <class W>
  void register_worker() {
    registry().add<W>();
  }
  /// Runs W's jobs on `factory()`'s W each (to inject what the job needs, e.g. a recorder).
  template <class W, class Factory>
  void register_worker(Factory factory) {
    registry().add<W>(std::move(factory));
  }
  /// Adds a server middleware; runs around every job, in order of addition.
  void use(ServerMiddleware middleware);

  [[nodiscard]] WorkerRegistry& registry();

 protected:
  explicit Scope(std::shared_ptr<detail::TestingStore> store);
  /// Makes the store refuse further enqueues.
  ~Scope();

 private:
  std::shared_ptr<detail::TestingStore> store_;
};

/// Fake mode: enqueues are captured per worker class, to inspect and to run on demand.
class Fake : public Scope {
 public:
  /// `workers`: the application's registry, if it has one (as given to errand::cli::main);
  /// more can be registered with register_worker. `logger`: what jobs' ctx.logger()
  /// writes to (default: nowhere).
  explicit Fake(WorkerRegistry workers = {}, std::shared_ptr<Logger> logger = {});

  /// W's jobs waiting, oldest first, with args decoded. Throws errand::ArgumentError for a
  /// job whose args do not fit W::perform (e.g. pushed raw).
  template <class W>
  [[nodiscard]] std::vector<TypedJob<W>> jobs() const {
    std::vector<TypedJob<W>> typed;
    for (CapturedJob& captured : jobs(WorkerTraits<W>::class_name())) {
      auto args = WorkerTraits<W>::decode_args(captured.job);
      typed.push_back(TypedJob<W>{std::move(captured), std::move(args)});
    }
    return typed;
  }
  template <class W>
  [[nodiscard]] std::size_t size() const {
    return size(WorkerTraits<W>::class_name());
  }
  /// Runs W's jobs, oldest first, until none is left: those enqueued while draining run
  /// too (a job that always enqueues another of its class never lets it end, as in
  /// Sidekiq). Each job leaves the fake before it runs; if one throws, the exception
  /// reaches the caller and the jobs after it stay. Returns how many ran.
  template <class W>
  std::size_t drain() {
    return drain(WorkerTraits<W>::class_name());
  }
  /// Runs W's oldest job. Throws errand::Error when there is none.
  template <class W>
  void perform_one() {
    perform_one(WorkerTraits<W>::class_name());
  }
  /// Drops W's jobs without running them. Returns how many.
  template <class W>
  std::size_t clear() {
    return clear(WorkerTraits<W>::class_name());
  }

  // The same by class name, for jobs of classes without a C++ worker (enqueue_raw).

  [[nodiscard]] std::vector<CapturedJob> jobs(std::string_view class_name) const;
  [[nodiscard]] std::size_t size(std::string_view class_name) const;
  std::size_t drain(std::string_view class_name);
  void perform_one(std::string_view class_name);
  std::size_t clear(std::string_view class_name);

  // Every class at once.

  /// All jobs waiting, oldest first.
  [[nodiscard]] std::vector<CapturedJob> jobs() const;
  [[nodiscard]] std::size_t size() const;
  /// Runs the oldest job of any class until none is left (see drain<W>). Throws
  /// errand::UnknownWorkerError, leaving the job, when its class is not registered.
  std::size_t drain_all();
  std::size_t clear();

 private:
  explicit Fake(std::shared_ptr<detail::FakeStore> store);
  std::shared_ptr<detail::FakeStore> captured_;
};

/// Inline mode: each enqueue runs its job before it returns, on the enqueuing thread
/// (jobs it enqueues run inside it). The job's exception, or errand::UnknownWorkerError
/// for a class not registered, reaches the caller of enqueue; enqueue_bulk stops at the
/// first job that throws.
class Inline : public Scope {
 public:
  /// As Fake's.
  explicit Inline(WorkerRegistry workers = {}, std::shared_ptr<Logger> logger = {});
};

}  // namespace errand::testing
