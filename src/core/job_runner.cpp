#include "core/job_runner.hpp"

#include <errand/args.hpp>
#include <errand/error.hpp>

#include "core/backtrace.hpp"
#include "core/log.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <optional>

namespace errand::detail {
namespace {

/// Prefixes each line with the job's class and jid, as Sidekiq's job logger does.
class JobLogger final : public Logger {
 public:
  JobLogger(Logger& parent, const Job& job) : parent_(parent), job_(job) {}
  void log(LogLevel level, std::string_view message) override {
    parent_.log(level, fmt::format("class={} jid={} {}", job_.class_name(), job_.jid(), message));
  }

 private:
  Logger& parent_;
  const Job& job_;
};

/// Whether the job asked for a backtrace: its `backtrace` field, else its worker's option.
bool wants_backtrace(const Job& job, const WorkerRegistry::Entry* entry) {
  json::value option = nullptr;
  if (const json::value* field = job.find("backtrace")) option = *field;
  else if (entry != nullptr && entry->options.backtrace) option = entry->options.backtrace->to_json();
  return (option.is_bool() && option.get_bool()) || (option.is_int64() && option.get_int64() > 0);
}

/// How long one run of `job` may take: its payload's `timeout` (seconds), else its
/// worker's option, else `fallback`. nullopt: no limit (0, negative, or absurdly long).
std::optional<std::chrono::milliseconds> timeout_of(const Job& job, const WorkerRegistry::Entry* entry,
                                                    std::optional<std::chrono::milliseconds> fallback) {
  std::optional<std::chrono::milliseconds> limit = fallback;
  if (entry != nullptr && entry->options.timeout) limit = entry->options.timeout;
  if (const json::value* field = job.find("timeout"); field != nullptr && field->is_number()) {
    const double seconds = field->to_number<double>();
    constexpr double ten_years = 10.0 * 365 * 24 * 3600;
    if (!(seconds > 0) || seconds > ten_years) return std::nullopt;
    limit = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000)));
  }
  if (limit && limit->count() <= 0) return std::nullopt;
  return limit;
}

Failure timed_out(const Job& job, std::chrono::milliseconds limit, const Failure& ending) {
  std::string message = fmt::format(
      "errand: {} (jid {}) ran longer than its timeout of {:g} s; its stop token fired and the run counts as failed",
      job.class_name(), job.jid(), std::chrono::duration<double>(limit).count());
  if (ending.error) message += fmt::format(" (it then ended with {}: {})", ending.error_class, ending.error_message);
  return {std::make_exception_ptr(JobTimeoutError(message)), "errand::JobTimeoutError", std::move(message),
          ending.backtrace};
}

}  // namespace

void JobRunner::run(const FetchedJob& fetched, std::stop_token stop, const std::function<bool()>& claim_outcome) {
  Job job;
  try {
    job = Job::parse(fetched.payload);
  } catch (const PayloadError& e) {
    counters_.processed.fetch_add(1, std::memory_order_relaxed);
    counters_.failed.fetch_add(1, std::memory_order_relaxed);
    if (claim_outcome()) retrier_.payload_unreadable(fetched, e.what());
    return;
  }

  const WorkerRegistry::Entry* entry = nullptr;
  Failure failure;
  bool consulted_stop = false;
  std::optional<std::chrono::milliseconds> limit;
  std::optional<Deadlines::Deadline> deadline;  // armed for the run, disarmed by its end
  const auto started = std::chrono::steady_clock::now();
  try {
    if (job.class_name().empty()) {
      throw PayloadError(fmt::format("errand: job in queue {} (jid {}) has no string \"class\" field, so no worker "
                                     "can run it",
                                     fetched.queue, job.jid()));
    }
    entry = registry_.find(job.class_name());
    if (entry == nullptr) {
      throw UnknownWorkerError(fmt::format(
          "errand: unknown job class \"{}\" in queue {} (jid {}); register it with "
          "processor.register_worker<YourWorker>() (class_name \"{}\") or the job will be retried",
          job.class_name(), fetched.queue, job.jid(), job.class_name()));
    }
    JobLogger job_logger(logger_, job);
    limit = timeout_of(job, entry, default_timeout_);
    if (limit) {
      deadline.emplace(deadlines_, started + *limit);
      deadline->follow(stop);
    }
    Context ctx(job, job_logger, deadline ? deadline->token() : std::move(stop));
    const ThrowTraceScope trace(wants_backtrace(job, entry));
    middleware_.invoke(job, ctx, [entry](Job& j, Context& c) { entry->handler(j, c); });
    consulted_stop = ctx.consulted_stop();
  } catch (const ArgMismatch& m) {  // a codec called directly inside perform
    failure = {std::current_exception(), "errand::ArgumentError", m.message(), {}};
  } catch (const std::exception& e) {
    failure = {std::current_exception(), exception_class_name(e), e.what(), {}};
  } catch (...) {
    failure = {std::current_exception(), "unknown", "errand: the job threw something that is not a std::exception", {}};
  }
  if (failure.error && wants_backtrace(job, entry)) failure.backtrace = thrown_trace();
  if (deadline && deadline->fired()) failure = timed_out(job, *limit, failure);
  deadline.reset();

  counters_.processed.fetch_add(1, std::memory_order_relaxed);
  if (!claim_outcome()) {  // shutdown gave it back already
    // A job that never looked at its stop token cannot have stopped early for it: its
    // return means its work is done.
    if (!failure.error && !consulted_stop) completions_.complete_given_back(fetched, job.class_name(), job.jid());
    return;
  }
  if (!failure.error) {
    completions_.add(fetched);
    log_safely(logger_, LogLevel::debug, [&] {
      const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return fmt::format("class={} jid={} done: {:.3f} sec", job.class_name(), job.jid(), elapsed);
    });
    return;
  }
  counters_.failed.fetch_add(1, std::memory_order_relaxed);
  retrier_.job_failed(fetched, std::move(job), entry, failure);
}

}  // namespace errand::detail
