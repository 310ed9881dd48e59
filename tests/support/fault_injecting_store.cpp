#include "fault_injecting_store.hpp"

#include <errand/error.hpp>
#include <errand/job.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace errand::test {

std::string_view to_string(StoreCall call) {
  switch (call) {
    case StoreCall::job_fetch: return "job_fetch";
    case StoreCall::job_complete: return "job_complete";
    case StoreCall::job_retry: return "job_retry";
    case StoreCall::job_kill: return "job_kill";
    case StoreCall::job_give_back: return "job_give_back";
    case StoreCall::process_beat: return "process_beat";
    case StoreCall::job_insert_many: return "job_insert_many";
  }
  return "?";
}

FaultInjectingStore::FaultInjectingStore(std::shared_ptr<Store> inner) : ForwardingStore(std::move(inner)) {}

FaultInjectingStore::~FaultInjectingStore() { stop(); }

void FaultInjectingStore::add_rule(StoreCall call, Action action, std::uint64_t first, std::uint64_t count,
                                   Raise error) {
  if (count == 0) return;
  if (!error) error = raise<ConnectionError>("test: injected failure of " + std::string(to_string(call)));
  std::lock_guard lock(mutex_);
  PerCall& c = slot(call);
  if (first == 0) first = c.calls + 1;  // "the next": from the call after the last one made
  c.rules.push_back({action, first, first + count - 1, std::move(error)});
}

void FaultInjectingStore::fail_next(StoreCall call, std::uint64_t k, Raise error) {
  add_rule(call, Action::fail, 0, k, std::move(error));
}

void FaultInjectingStore::fail_call(StoreCall call, std::uint64_t n, Raise error) {
  add_rule(call, Action::fail, std::max<std::uint64_t>(n, 1), 1, std::move(error));
}

void FaultInjectingStore::stall_next(StoreCall call, std::uint64_t k) { add_rule(call, Action::stall, 0, k, nullptr); }

void FaultInjectingStore::stall_call(StoreCall call, std::uint64_t n) {
  add_rule(call, Action::stall, std::max<std::uint64_t>(n, 1), 1, nullptr);
}

void FaultInjectingStore::release(StoreCall call) {
  {
    std::lock_guard lock(mutex_);
    ++slot(call).releases;
  }
  changed_.notify_all();
}

void FaultInjectingStore::clear(StoreCall call) {
  std::lock_guard lock(mutex_);
  slot(call).rules.clear();
}

void FaultInjectingStore::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

std::uint64_t FaultInjectingStore::calls(StoreCall call) const {
  std::lock_guard lock(mutex_);
  return slot(call).calls;
}

std::uint64_t FaultInjectingStore::failures(StoreCall call) const {
  std::lock_guard lock(mutex_);
  return slot(call).failures;
}

std::uint64_t FaultInjectingStore::stalled(StoreCall call) const {
  std::lock_guard lock(mutex_);
  return slot(call).stalled;
}

std::vector<std::chrono::steady_clock::time_point> FaultInjectingStore::call_times(StoreCall call) const {
  std::lock_guard lock(mutex_);
  return slot(call).times;
}

std::uint64_t FaultInjectingStore::fetches_of(std::string_view jid) const {
  std::lock_guard lock(mutex_);
  const auto it = fetched_jids_.find(jid);
  return it == fetched_jids_.end() ? 0 : it->second;
}

void FaultInjectingStore::enter(StoreCall call, const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  PerCall& c = slot(call);
  const std::uint64_t number = ++c.calls;
  c.times.push_back(std::chrono::steady_clock::now());
  const auto rule = std::find_if(c.rules.begin(), c.rules.end(),
                                 [&](const Rule& r) { return r.first <= number && number <= r.last; });
  if (rule == c.rules.end()) return;
  if (rule->action == Action::fail) {
    ++c.failures;
    const Raise error = rule->error;  // a fresh exception per call, thrown outside the lock
    lock.unlock();
    error();
    throw std::logic_error("test: a Raise must throw");
  }
  ++c.stalled;
  const std::uint64_t releases = c.releases;
  changed_.wait(lock, stop, [&] { return stopped_ || c.releases != releases; });
  --c.stalled;
}

void FaultInjectingStore::job_insert_many(const JobInsertManyParams& p) {
  enter(StoreCall::job_insert_many);
  ForwardingStore::job_insert_many(p);
}

std::vector<FaultInjectingStore::FetchRecord> FaultInjectingStore::fetch_records() const {
  std::lock_guard lock(mutex_);
  return fetch_records_;
}

std::vector<FetchedJob> FaultInjectingStore::job_fetch(const JobFetchParams& p) {
  const auto began = std::chrono::steady_clock::now();
  enter(StoreCall::job_fetch, p.stop);
  std::vector<FetchedJob> jobs = ForwardingStore::job_fetch(p);
  std::lock_guard lock(mutex_);
  FetchRecord& record = fetch_records_.emplace_back(FetchRecord{began, std::chrono::steady_clock::now(), {}});
  for (const auto& job : jobs) {
    std::string jid;
    try {
      jid = std::string(Job::parse(job.payload).jid());
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): unparseable: counted under ""
    }
    ++fetched_jids_[jid];
    record.jids.push_back(std::move(jid));
  }
  return jobs;
}

void FaultInjectingStore::job_complete(const JobCompleteParams& p) {
  enter(StoreCall::job_complete);
  ForwardingStore::job_complete(p);
}

void FaultInjectingStore::job_give_back(const JobGiveBackParams& p) {
  enter(StoreCall::job_give_back);
  ForwardingStore::job_give_back(p);
}

void FaultInjectingStore::job_retry(const JobRetryParams& p) {
  enter(StoreCall::job_retry);
  ForwardingStore::job_retry(p);
}

void FaultInjectingStore::job_kill(const JobKillParams& p) {
  enter(StoreCall::job_kill);
  ForwardingStore::job_kill(p);
}

ProcessBeatResult FaultInjectingStore::process_beat(const ProcessBeatParams& p) {
  enter(StoreCall::process_beat);
  return ForwardingStore::process_beat(p);
}

}  // namespace errand::test
