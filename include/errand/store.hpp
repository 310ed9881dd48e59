// The storage seam: the only place that knows where jobs live.
//
// Everything else (options, middleware, retries and backoff, stats math) is written once
// in the core against this interface, in three parts:
//   Store       what a Client and a Processor need: insert, fetch, complete, give back,
//               retry, kill, move due jobs, and the process registry;
//   HeldJobs    for a store that lists each process's fetched jobs (Store::held_jobs()):
//               giving back the jobs of dead processes and stranded ones;
//   StoreAdmin  what the CLI and the dashboard do (Store::admin()): stats, queues, sets;
//   PeriodicJobs  periodic (cron) definitions and their ticks (Store::periodic()).
// (And FetchConnections, Store::fetch_connections(): a pool a waiting fetch reserves.)
// Each operation with inputs takes one params struct, so an operation can grow a field
// without changing every store. Capabilities are flags, not #ifdefs. This interface is
// internal and may change between minor versions; use Client and Processor in
// applications.
#pragma once

#include <errand/job.hpp>
#include <errand/periodic.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace errand {

/// What a store can do beyond the basics.
struct StoreCapabilities {
  bool blocking_fetch = false;   ///< job_fetch can wait for work without polling
  bool reliable_fetch = false;   ///< fetched jobs survive a crash until completed
  /// Fetched jobs come back by themselves when their lease runs out (heartbeats renew
  /// it for the jobs a process holds), rather than through HeldJobs.
  bool leases = false;
  /// Scheduled jobs and retries become ready at their time by themselves: the poller
  /// never calls job_schedule_due.
  bool schedules_itself = false;
  /// Payloads come back byte for byte (Postgres's jsonb keeps the JSON, not its spelling).
  bool verbatim_payloads = true;
  /// Any queue name works (Postgres allows what can name a pgmq table).
  bool any_queue_name = true;
};

/// How a store is best driven: numbers, not abilities (StoreCapabilities says what a
/// store can do; this says how much of it pays).
struct StoreTuning {
  /// Jobs a processor fetches ahead of its threads at most, by default (with reliable
  /// fetch; ProcessorOptions::prefetch overrides): where holding more stops paying.
  /// Redis acknowledges with LREM on the in-progress list, dearer the longer it is: 250.
  /// Postgres and SQLite pay a transaction (a WAL write) per fetch: 1,000.
  std::size_t prefetch_limit = 250;
};

// `owner` in the params below is the identity of the process doing the work (see
// Processor::identity()). A store with reliable fetch keeps each fetched job under its
// owner until the job is completed, retried, killed or given back, and gives the jobs of
// owners that stopped beating back to their queues (HeldJobs::job_give_back_orphaned).

/// One job to store: its final payload text, and when to run it (nullopt = now).
struct JobInsert {
  std::string jid;
  std::string queue;
  std::string payload;
  std::optional<TimePoint> run_at;
};

struct JobInsertManyParams {
  std::vector<JobInsert> jobs;
};

struct JobFetchParams {
  std::vector<std::string> queues;  ///< in priority order for this fetch, without duplicates
  std::size_t max = 1;              ///< at most this many jobs
  std::chrono::milliseconds wait{0};  ///< how long to wait when no job is ready (≤ 2 s)
  std::stop_token stop;              ///< a store may end its wait early when this fires
  std::string owner;
};

/// A job taken from a queue. `payload` holds the exact bytes that were stored.
struct FetchedJob {
  std::string queue;
  std::string payload;
  std::uint64_t receipt = 0;   ///< store-specific handle for completing the job
  std::uint64_t delivery = 0;  ///< store-specific: which delivery of the job this is
};

struct JobCompleteParams {
  std::vector<FetchedJob> jobs;
  std::string owner;
};

/// Gives fetched jobs back to the front of their queues (next to be fetched), unrun or
/// stopped at shutdown.
struct JobGiveBackParams {
  std::vector<FetchedJob> jobs;
  std::string owner;
};

/// A job that succeeded after shutdown gave it back to its queue (job_give_back).
struct JobCompleteGivenBackParams {
  FetchedJob job;  ///< as fetched (and given back)
};

/// Schedules a failed job to run again.
struct JobRetryParams {
  FetchedJob fetched;   ///< as fetched, to complete it
  std::string queue;    ///< the queue it goes back to when due (its `retry_queue`, else the fetched one)
  std::string payload;  ///< the job with its error fields (its "queue" field says the same)
  TimePoint retry_at;
  std::string owner;
};

/// Limits of the dead set, as Sidekiq's `dead_max_jobs` and `dead_timeout_in_seconds`.
struct DeadSetLimits {
  std::size_t max_jobs = 10'000;
  std::chrono::seconds max_age{180LL * 24 * 3600};
};

/// Moves a job to the dead set, trimming it to its limits.
struct JobKillParams {
  FetchedJob fetched;
  std::string payload;  ///< the job with its error fields (or the raw text, if unparseable)
  TimePoint died_at;
  DeadSetLimits limits;
  std::string owner;
};

/// Moves jobs whose time has come from the retry set, then the scheduled set, onto
/// their queues (Sidekiq's poller), each atomically, with `enqueued_at` set to `now`
/// as Sidekiq's poller sets it (Sidekiq::Queue#latency and the Web UI read it).
struct JobScheduleDueParams {
  TimePoint now;
  std::size_t max = 1000;  ///< at most this many per call
};

/// A job a worker thread is running, for the process registry (Sidekiq's Busy page).
struct BusyJob {
  std::string thread_id;
  std::string queue;
  std::string payload;
  TimePoint run_at;
};

/// One heartbeat of a processor: who it is, what it runs, what it did since the last beat.
struct ProcessBeatParams {
  std::string identity;   ///< "hostname:pid:nonce", unique per process
  std::string info_json;  ///< Sidekiq's `info` (hostname, pid, queues, concurrency, ...)
  std::vector<BusyJob> busy;
  std::vector<FetchedJob> held;  ///< every job in memory, running or waiting: their leases are renewed
  std::uint64_t processed = 0;  ///< jobs run since the last successful beat
  std::uint64_t failed = 0;
  bool quiet = false;
  std::int64_t rss_kb = 0;
  /// Without a beat for this long, the process counts as dead and its jobs are rescued.
  std::chrono::milliseconds liveness_ttl{15'000};
};

struct ProcessBeatResult {
  std::vector<std::string> signals;  ///< sent to this process from a dashboard: "TSTP", "TERM", ...
};

/// Removes a stopping process from the registry.
struct ProcessStopParams {
  std::string identity;
};

class HeldJobs;
class StoreAdmin;
class FetchConnections;
class PeriodicJobs;

/// The core of the seam: what a Client and a Processor need from a store.
class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  /// "redis", "memory", ... for messages.
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual StoreCapabilities capabilities() const noexcept = 0;
  [[nodiscard]] virtual StoreTuning tuning() const noexcept { return {}; }
  /// The Sidekiq whose format this store's jobs and process records are written in
  /// (timestamps, backtraces, the busy-jobs key): RedisOptions::sidekiq_version on Redis,
  /// where Ruby reads them; 6.x elsewhere. Client and Processor both take it from here.
  [[nodiscard]] virtual SidekiqVersion sidekiq_version() const noexcept { return SidekiqVersion::v6; }
  /// Throws errand::ArgumentError for a queue name this store cannot hold.
  virtual void check_queue_name(std::string_view /*queue*/) const {}

  /// The store's list of each process's fetched jobs, when it keeps one (Redis with
  /// reliable fetch, SQLite); null when jobs come back by leases or not at all.
  [[nodiscard]] virtual HeldJobs* held_jobs() noexcept { return nullptr; }
  /// The operations behind the CLI and the dashboard; null for a store without them.
  [[nodiscard]] virtual StoreAdmin* admin() noexcept { return nullptr; }
  /// The bounded pool a waiting fetch holds connections of (Redis); null when a fetch
  /// needs no reservation.
  [[nodiscard]] virtual FetchConnections* fetch_connections() noexcept { return nullptr; }
  /// The store's periodic (cron) definitions; null for a store without them.
  [[nodiscard]] virtual PeriodicJobs* periodic() noexcept { return nullptr; }

  virtual void job_insert_many(const JobInsertManyParams& params) = 0;
  [[nodiscard]] virtual std::vector<FetchedJob> job_fetch(const JobFetchParams& params) = 0;
  virtual void job_complete(const JobCompleteParams& params) = 0;
  virtual void job_give_back(const JobGiveBackParams& params) = 0;
  /// Removes the given-back copy of a job that finished after all, in one atomic step,
  /// if no process has fetched it since. Returns whether it did; false (the default,
  /// for stores that cannot tell) means the job will run again.
  virtual bool job_complete_given_back(const JobCompleteGivenBackParams& /*params*/) { return false; }
  virtual void job_retry(const JobRetryParams& params) = 0;
  virtual void job_kill(const JobKillParams& params) = 0;
  /// Returns how many jobs moved. Called only on a store that does not declare
  /// StoreCapabilities::schedules_itself; the default throws std::logic_error.
  virtual std::size_t job_schedule_due(const JobScheduleDueParams& params);

  /// Records a heartbeat: process info, busy jobs, stats counters. Returns pending signals.
  virtual ProcessBeatResult process_beat(const ProcessBeatParams& params) = 0;
  virtual void process_stop(const ProcessStopParams& params) = 0;
  /// Live processes sharing this store (at least 1).
  [[nodiscard]] virtual std::int64_t process_count() = 0;
};

// --- Held jobs: a store that lists each process's fetched jobs ---------------------

/// Gives back the jobs held by owners that are no longer alive.
struct JobGiveBackOrphanedParams {
  std::string rescuer;  ///< the process doing it, never given back from
};

/// Lists the jobs an owner holds in the store.
struct JobListHeldParams {
  std::string owner;
};

/// Gives back jobs from the owner's own list that it no longer holds in memory (their
/// acknowledgement was lost to a connection error). Each goes back only if it is still
/// in the list.
struct JobGiveBackStrandedParams {
  std::string owner;
  std::vector<std::string> payloads;
};

/// What the poller uses to give back jobs that a list says are held by nobody alive.
class HeldJobs {
 public:
  /// Returns how many jobs were given back.
  virtual std::size_t job_give_back_orphaned(const JobGiveBackOrphanedParams& params) = 0;
  /// The payloads the owner holds, as the store lists them.
  [[nodiscard]] virtual std::vector<std::string> job_list_held(const JobListHeldParams& params) = 0;
  /// Returns how many jobs were given back.
  virtual std::size_t job_give_back_stranded(const JobGiveBackStrandedParams& params) = 0;

 protected:
  HeldJobs() = default;
  HeldJobs(const HeldJobs&) = delete;
  HeldJobs& operator=(const HeldJobs&) = delete;
  ~HeldJobs() = default;
};

// --- Fetch connections: a store whose waiting fetch holds several connections ------

/// A store whose waiting fetch holds connections of a bounded pool (Redis: one blocking
/// connection per queue with reliable fetch, one without). Processor::start() reserves
/// what its fetcher will hold, so that a pool too small for the processor's queues (or
/// for them and other processors' on the same store) is refused at start, naming the
/// setting to raise, instead of failing every idle fetch; the reservation is given back
/// when the fetcher ends.
class FetchConnections {
 public:
  /// Reserves the connections a fetch waiting on `queues` queues holds at once. Throws
  /// errand::ConfigError, naming the setting, when the pool cannot hold them besides
  /// what other processors reserved.
  virtual void reserve_fetch_connections(std::size_t queues) = 0;
  /// Gives back what reserve_fetch_connections(queues) took.
  virtual void release_fetch_connections(std::size_t queues) noexcept = 0;

 protected:
  FetchConnections() = default;
  FetchConnections(const FetchConnections&) = delete;
  FetchConnections& operator=(const FetchConnections&) = delete;
  ~FetchConnections() = default;
};

// --- Admin: what the CLI and a dashboard do ----------------------------------------

/// Lifetime counters, as Sidekiq's `stat:processed` and `stat:failed`.
struct StoreStats {
  std::int64_t processed = 0;
  std::int64_t failed = 0;
};

/// Which sorted set of jobs-in-waiting: Sidekiq's `schedule`, `retry` and `dead`.
enum class JobSet { scheduled, retry, dead };

/// One job in a sorted set, with its score.
struct SetEntry {
  TimePoint at;
  std::string payload;
};

/// Which entries of a job set an admin operation touches.
struct SetSelection {
  std::vector<std::string> jids{};  ///< the entries of these jobs
  bool all = false;                 ///< or every entry
};

struct QueueSizeParams {
  std::string queue;
};

struct QueueClearParams {
  std::string queue;
};

struct SetListParams {
  JobSet set = JobSet::scheduled;
  std::size_t limit = 100;  ///< at most this many, earliest first
};

struct SetSizeParams {
  JobSet set = JobSet::scheduled;
};

struct SetChangeParams {
  JobSet set = JobSet::scheduled;
  SetSelection which;
};

/// Reading and repairing a store by hand. Each change returns how many jobs it touched.
class StoreAdmin {
 public:
  /// Counters flushed by heartbeats.
  [[nodiscard]] virtual StoreStats stats() = 0;
  /// Names of queues that have received jobs, sorted.
  [[nodiscard]] virtual std::vector<std::string> queue_names() = 0;
  /// Jobs waiting in a queue.
  [[nodiscard]] virtual std::int64_t queue_size(const QueueSizeParams& params) = 0;
  /// Deletes every job waiting in a queue (not the running ones).
  virtual std::size_t queue_clear(const QueueClearParams& params) = 0;
  /// Entries of a job set, earliest first.
  [[nodiscard]] virtual std::vector<SetEntry> set_list(const SetListParams& params) = 0;
  [[nodiscard]] virtual std::int64_t set_size(const SetSizeParams& params) = 0;
  /// Moves entries of a set to their queues now, as Sidekiq's SortedEntry#retry and
  /// #add_to_queue do: a job that failed before gets its retry_count lowered by one, so
  /// that a manual retry does not use up an attempt.
  virtual std::size_t set_enqueue_now(const SetChangeParams& params) = 0;
  virtual std::size_t set_delete(const SetChangeParams& params) = 0;

 protected:
  StoreAdmin() = default;
  StoreAdmin(const StoreAdmin&) = delete;
  StoreAdmin& operator=(const StoreAdmin&) = delete;
  ~StoreAdmin() = default;
};

// --- Periodic jobs: definitions and their ticks, shared by every process --------------

/// One definition to write, with the first tick it waits for if it is new.
struct PeriodicRegistration {
  PeriodicDefinition definition;
  TimePoint first_run;
  /// The schedule in the Rust `cron` crate's syntax (Schedule::cron_crate_text), when
  /// that line has the same ticks: a store shared with rusty-sidekiq or Roadster then
  /// keeps the definition where they read theirs, in their format, so that a Rust
  /// process takes its ticks too. nullopt: only errand can read the schedule, and the
  /// store keeps the definition in errand's own place.
  std::optional<std::string> shared_schedule{};
};

/// Writes a processor's definitions at its start, by name: a new name is added, waiting
/// for its first_run; a name whose definition is unchanged keeps its next run and its
/// enabled state; a changed one is replaced (next run first_run, enabled state kept).
/// Then removes other definitions as `cleanup` says (PeriodicCleanup).
struct PeriodicRegisterParams {
  std::vector<PeriodicRegistration> definitions;
  PeriodicCleanup cleanup = PeriodicCleanup::auto_clean_stale;
};

/// The enabled definitions whose next run is at or before `now`.
struct PeriodicDueParams {
  TimePoint now;
  std::size_t max = 100;
};

/// Takes one tick of a definition, in one atomic step: only if the definition still
/// has the `version` it was read with (no other process took the tick meanwhile), sets
/// its next run to `next_run` and stores `job` (when set: nullopt skips the tick), and
/// records `now` as its last run when it stored a job. Returns whether this call took
/// the tick; false means another process did (or the definition was changed, disabled
/// or deleted since it was read).
struct PeriodicClaimParams {
  std::string handle;   ///< PeriodicRecord::handle
  std::string version;  ///< PeriodicRecord::version
  TimePoint next_run;
  TimePoint now;
  std::optional<JobInsert> job;
};

/// Enables (next run `next_run`) or disables a definition by name.
struct PeriodicEnableParams {
  std::string name;
  bool enabled = true;
  TimePoint next_run;  ///< when enabling: the first tick it waits for
};

struct PeriodicDeleteParams {
  std::string name;
};

/// Where periodic definitions live and how each tick is taken exactly once across
/// processes. Definitions written by other systems sharing the store (rusty-sidekiq and
/// Roadster on Redis and Postgres) come back as records too, in errand's terms.
class PeriodicJobs {
 public:
  virtual void periodic_register(const PeriodicRegisterParams& params) = 0;
  /// Due definitions, earliest first; unreadable ones come back with their `problem` set.
  [[nodiscard]] virtual std::vector<PeriodicRecord> periodic_due(const PeriodicDueParams& params) = 0;
  virtual bool periodic_claim(const PeriodicClaimParams& params) = 0;
  /// Every definition, enabled or not, by name.
  [[nodiscard]] virtual std::vector<PeriodicRecord> periodic_list() = 0;
  /// Returns false when no definition has that name.
  virtual bool periodic_enable(const PeriodicEnableParams& params) = 0;
  /// Returns false when no definition has that name.
  virtual bool periodic_delete(const PeriodicDeleteParams& params) = 0;

 protected:
  PeriodicJobs() = default;
  PeriodicJobs(const PeriodicJobs&) = delete;
  PeriodicJobs& operator=(const PeriodicJobs&) = delete;
  ~PeriodicJobs() = default;
};

/// Opens a store from a URL: `redis://[user:pass@]host:port/db`,
/// `postgres://user:pass@host:port/db` (or `postgresql://`), `sqlite://path/to/file.db`,
/// `memory://`.
/// Throws errand::ConfigError for an unknown scheme or a malformed URL.
[[nodiscard]] std::shared_ptr<Store> connect(std::string_view url);

}  // namespace errand
