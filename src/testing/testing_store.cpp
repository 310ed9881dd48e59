#include "testing/testing_store.hpp"

#include <errand/args.hpp>
#include <errand/context.hpp>
#include <errand/error.hpp>

#include <fmt/format.h>

#include <stop_token>

namespace errand::testing::detail {

TestingStore::TestingStore(WorkerRegistry workers, std::shared_ptr<Logger> logger)
    : workers_(std::move(workers)), logger_(logger ? std::move(logger) : null_logger()) {}

void TestingStore::check_open(std::string_view class_name) const {
  if (!closed_.load(std::memory_order_acquire)) return;
  throw Error(fmt::format("errand::testing: a job of class {} was enqueued after its {} had ended (the Client outlived "
                          "it); build the Client on the store() of a testing::Fake or testing::Inline still in scope",
                          class_name, name()));
}

const WorkerRegistry::Entry& TestingStore::worker_for(std::string_view class_name, std::string_view jid) const {
  if (const WorkerRegistry::Entry* entry = workers_.find(class_name)) return *entry;
  throw UnknownWorkerError(fmt::format(
      "errand::testing: no worker registered for job class \"{}\" (jid {}); call register_worker<YourWorker>() on "
      "the {} (class_name \"{}\") before running its jobs",
      class_name, jid, name(), class_name));
}

void TestingStore::perform(Job job) const {
  const WorkerRegistry::Entry& entry = worker_for(job.class_name(), job.jid());
  Context ctx(job, *logger_, std::stop_token{});
  try {
    middleware_.invoke(job, ctx, [&entry](Job& j, Context& c) { entry.handler(j, c); });
  } catch (const errand::detail::ArgMismatch& m) {  // a codec called directly inside perform
    throw ArgumentError(fmt::format("errand: job {} (jid {}): {}", job.class_name(), job.jid(), m.message()));
  }
}

void TestingStore::unsupported(std::string_view operation) const {
  throw Error(fmt::format("errand::testing: the {} store cannot {}: a testing store only captures enqueues (Fake) "
                          "or runs them at once (Inline). Inspect and run jobs through the {} itself; for a store "
                          "a Processor can run, use errand::make_memory_store()",
                          name(), operation, name()));
}

std::vector<FetchedJob> TestingStore::job_fetch(const JobFetchParams&) { unsupported("fetch jobs"); }
void TestingStore::job_complete(const JobCompleteParams&) { unsupported("complete jobs"); }
void TestingStore::job_give_back(const JobGiveBackParams&) { unsupported("give jobs back"); }
void TestingStore::job_retry(const JobRetryParams&) { unsupported("retry jobs"); }
void TestingStore::job_kill(const JobKillParams&) { unsupported("kill jobs"); }
std::size_t TestingStore::job_schedule_due(const JobScheduleDueParams&) { unsupported("move scheduled jobs"); }
ProcessBeatResult TestingStore::process_beat(const ProcessBeatParams&) { unsupported("record heartbeats"); }
void TestingStore::process_stop(const ProcessStopParams&) { unsupported("register processes"); }
std::int64_t TestingStore::process_count() { unsupported("count processes"); }

}  // namespace errand::testing::detail
