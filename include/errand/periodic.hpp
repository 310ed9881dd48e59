// Periodic (cron) jobs: jobs enqueued on a schedule, each tick exactly once however many
// processes run.
//
//   processor.periodic<Report>("0 8 * * *", {.name = "morning-report", .time_zone = "Europe/Berlin"}, 42);
//   processor.periodic<Cleanup>(errand::Schedule::every(std::chrono::minutes(30)), {.name = "cleanup"});
//
// A processor writes its definitions to its store when it starts; every processor on
// that store then takes due ticks as they come (one wins each), including the ticks of
// definitions other processes, or rusty-sidekiq and Roadster apps, wrote. Once enqueued a
// periodic job is an ordinary job: retries, middleware and options apply. docs/periodic.md
// has the rules, the formats each store keeps and how they interoperate.
#pragma once

#include <errand/job.hpp>
#include <errand/options.hpp>
#include <errand/schedule.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace errand {

/// What a processor does at start with the definitions in its store that it does not
/// register itself (Roadster's `stale-cleanup`).
enum class PeriodicCleanup {
  manual,            ///< keeps them all: remove them with `errand periodic delete`
  auto_clean_stale,  ///< removes those errand wrote and no processor registers now (default)
  auto_clean_all,    ///< removes all of them, whoever wrote them (rusty-sidekiq, Roadster too)
};

/// How the processor runs periodic jobs (ProcessorOptions::periodic).
struct PeriodicSettings {
  /// false: this processor neither writes definitions nor takes ticks (Roadster's
  /// `periodic.enable`); other processes on the store still do.
  bool enabled = true;
  PeriodicCleanup cleanup = PeriodicCleanup::auto_clean_stale;
  /// How often the processor looks for due ticks. Ticks fall on whole seconds, so a
  /// second is as often as pays; a tick runs at most this late (plus the time to push).
  std::chrono::milliseconds poll_interval{1'000};
  /// A tick found later than this after its time was missed (every process was down,
  /// or the store was unreachable): it is skipped, unless the definition catches up.
  /// sidekiq-cron's 60 s.
  std::chrono::milliseconds late_limit{60'000};
};

/// Options of one periodic job (Processor::periodic).
struct PeriodicOptions {
  /// Names the definition in the store, unique there: registering a name again
  /// replaces its definition. Default: the worker's class name.
  std::string name{};
  std::optional<std::string> queue{};  ///< default: the worker's queue
  /// The IANA zone a cron line given as text is read in; default "UTC". (A Schedule
  /// carries its own.)
  std::string time_zone{};
  std::string description{};  ///< shown by `errand periodic list`
  /// Ticks missed while no process ran (PeriodicSettings::late_limit): false skips them,
  /// as sidekiq-cron does; true enqueues one job for them when a process next looks.
  bool catch_up = false;
  std::optional<Retry> retry{};  ///< default: the worker's retry option
};

/// A periodic job as a store keeps it: what to enqueue and when.
struct PeriodicDefinition {
  std::string name;
  std::string schedule;                 ///< a cron line or `every 30s`, as written
  std::string time_zone{"UTC"};
  CronDialect dialect = CronDialect::standard;
  std::string class_name;
  std::string args{"[]"};               ///< the job's arguments: JSON array text
  std::string queue{"default"};
  std::optional<std::string> retry{};   ///< the job's `retry` as JSON text; nullopt: the worker's default
  std::string description{};
  JobFormat format = JobFormat::sidekiq;
  bool catch_up = false;

  friend bool operator==(const PeriodicDefinition&, const PeriodicDefinition&) = default;
};

/// A definition read back from a store, with its state.
struct PeriodicRecord {
  PeriodicDefinition definition;
  bool enabled = true;
  /// Written by errand (false: by rusty-sidekiq, Roadster or sidekiq-cron).
  bool written_by_errand = true;
  std::optional<TimePoint> next_run{};  ///< nullopt while disabled
  std::optional<TimePoint> last_run{};  ///< the last tick enqueued, when the store keeps it
  std::string handle;   ///< the store's key for it (PeriodicClaimParams)
  std::string version;  ///< changes with every tick taken (PeriodicClaimParams)
  /// Why the record cannot be read (broken JSON written by another app, ...): the
  /// definition is then only partly filled and the record is never run.
  std::string problem{};
};

}  // namespace errand
