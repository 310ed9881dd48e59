#include "core/retrier.hpp"

#include "core/backtrace.hpp"
#include "core/log.hpp"
#include "core/text.hpp"

#include <errand/error.hpp>
#include <errand/queues.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <limits>

namespace errand::detail {
namespace {
constexpr std::size_t max_error_message_chars = 10'000;  // Sidekiq's limit
constexpr double max_retry_delay_seconds = 10.0 * 365 * 24 * 3600;  // keeps time points in range

/// An error that would come back at every try (Error::is_retryable() says so): the store
/// refuses the payload or the name (PayloadError, ArgumentError, ConfigError, an SqlError
/// of bad data), not the moment.
bool refused_for_good(const std::exception& e) {
  const auto* error = dynamic_cast<const Error*>(&e);
  return error != nullptr && !error->is_retryable();
}
}  // namespace

RetryDecision decide_retry(const Job& job, const JobOptions* worker_options, int default_max) {
  json::value retry = true;
  if (const json::value* field = job.find("retry"); field != nullptr && !field->is_null()) {
    retry = *field;
  } else if (worker_options != nullptr && worker_options->retry) {
    retry = worker_options->retry->to_json();
  }
  const std::optional<std::int64_t> previous = job.retry_count();
  const std::int64_t count = !previous ? 0 : *previous < std::numeric_limits<std::int64_t>::max() ? *previous + 1 : *previous;

  using Reason = RetryDecision::Reason;
  if (retry.is_bool() && !retry.get_bool()) return {RetryDecision::Action::discard, count, Reason::retry_disabled};
  const std::int64_t max = retry.is_int64() ? retry.get_int64() : default_max;
  if (count < max) return {RetryDecision::Action::retry, count, Reason::retrying};

  bool keep_dead = true;
  if (const json::value* dead = job.find("dead"); dead != nullptr && dead->is_bool()) {
    keep_dead = dead->get_bool();
  } else if (worker_options != nullptr && worker_options->dead) {
    keep_dead = *worker_options->dead;
  }
  return {keep_dead ? RetryDecision::Action::kill : RetryDecision::Action::discard, count, Reason::exhausted};
}

std::chrono::seconds default_retry_delay(std::int64_t count, std::mt19937_64& rng) {
  // In double, then capped: a huge retry count (retry: 1000000) must not overflow.
  const auto c = static_cast<double>(std::max<std::int64_t>(count, 0));
  const double jitter = static_cast<double>(std::uniform_int_distribution<int>(0, 9)(rng)) * (c + 1);
  const double delay = std::min(c * c * c * c + 15 + jitter, max_retry_delay_seconds);
  return std::chrono::seconds(static_cast<std::int64_t>(delay));
}

RetryDecision apply_retry_in(RetryDecision decision, const RetryInHook& hook, const std::exception_ptr& error,
                             std::chrono::milliseconds& delay, std::mt19937_64& rng) {
  if (decision.action != RetryDecision::Action::retry || !hook || !error) return decision;
  std::optional<RetryIn> choice;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    try {
      choice = hook(decision.retry_count, e);
    } catch (...) {  // NOLINT(bugprone-empty-catch): a failing hook means the default rule, as in Sidekiq
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): not a std::exception: the hook cannot see it
  }
  if (!choice) return decision;
  const auto jitter = [&] {
    return std::chrono::seconds(std::uniform_int_distribution<std::int64_t>(0, 9)(rng) *
                                (std::min<std::int64_t>(decision.retry_count, 1'000'000) + 1));
  };
  switch (choice->kind()) {
    case RetryIn::Kind::default_delay: break;
    case RetryIn::Kind::delay: delay = choice->delay() + jitter(); break;
    case RetryIn::Kind::exact_delay: delay = choice->delay(); break;
    case RetryIn::Kind::discard:
      decision.action = RetryDecision::Action::discard;
      decision.reason = RetryDecision::Reason::hook_discarded;
      break;
    case RetryIn::Kind::kill:
      decision.action = RetryDecision::Action::kill;
      decision.reason = RetryDecision::Reason::exhausted;
      break;
  }
  return decision;
}

Retrier::Retrier(Store& store, Logger& logger, const ProcessorOptions& options, std::string owner)
    : store_(store), logger_(logger), options_(options), owner_(std::move(owner)), rng_(std::random_device{}()) {}

std::string Retrier::retry_queue_of(const Job& job, const FetchedJob& fetched) const {
  // As Sidekiq: `queue = retry_queue || the queue the job was fetched from`.
  const json::value* retry_queue = job.find("retry_queue");
  if (retry_queue == nullptr || !retry_queue->is_string() || retry_queue->get_string().empty()) return fetched.queue;
  std::string name(retry_queue->get_string());
  try {
    validate_queue_name(name);
    store_.check_queue_name(name);
  } catch (const Error& e) {
    // A name this store cannot hold would be refused at every retry: the job's own
    // queue, which it was fetched from, can.
    log_safely(logger_, LogLevel::warn, [&] {
      return fmt::format("class={} jid={}: its retry_queue cannot be used ({}); it retries in queue {}",
                         job.class_name(), job.jid(), e.what(), fetched.queue);
    });
    return fetched.queue;
  }
  return name;
}

void Retrier::record_error(Job& job, const FetchedJob& fetched, const RetryDecision& decision, const Failure& failure,
                           TimePoint now) const {
  job.set("queue", json::string(retry_queue_of(job, fetched)));
  job.set("error_message", json::string(scrub_utf8(failure.error_message, max_error_message_chars)));
  job.set("error_class", json::string(scrub_utf8(failure.error_class, max_error_message_chars)));
  if (job.retry_count()) {
    job.set("retried_at", timestamp_value(now, store_.sidekiq_version()));
  } else {
    job.set("failed_at", timestamp_value(now, store_.sidekiq_version()));
  }
  job.set("retry_count", decision.retry_count);
  if (!failure.backtrace.empty()) {
    // `backtrace: N` keeps the first N lines; `true` keeps them all.
    std::vector<std::string> lines = failure.backtrace;
    if (const json::value* option = job.find("backtrace"); option != nullptr && option->is_int64()) {
      lines.resize(std::min(lines.size(), static_cast<std::size_t>(std::max<std::int64_t>(0, option->get_int64()))));
    }
    job.set("error_backtrace", json::string(encode_error_backtrace(lines, store_.sidekiq_version())));
  }
}

void Retrier::job_failed(const FetchedJob& fetched, Job job, const WorkerRegistry::Entry* worker,
                         const Failure& failure) {
  const std::string_view error_class = failure.error_class;
  const std::string_view error_message = failure.error_message;
  RetryDecision decision = decide_retry(job, worker ? &worker->options : nullptr, options_.retry.max_retries);
  const TimePoint now = Clock::now();
  std::chrono::milliseconds delay{0};
  {
    std::lock_guard lock(rng_mutex_);
    delay = default_retry_delay(decision.retry_count, rng_);
    const RetryInHook& hook = worker && worker->retry_in ? worker->retry_in : options_.retry.retry_in;
    decision = apply_retry_in(decision, hook, failure.error, delay, rng_);
  }
  std::string payload;
  try {
    record_error(job, fetched, decision, failure, now);
    if (decision.action != RetryDecision::Action::discard) payload = job.dump();
  } catch (const std::exception& e) {
    // The payload cannot be written back (a number JSON cannot hold, say): it goes to
    // the dead set as it came, never to the front of its queue to fail the same way.
    kill_verbatim(fetched, fmt::format("class={} jid={} failed ({}: {}), and its failure could not be recorded in "
                                       "the payload ({})",
                                       job.class_name(), job.jid(), error_class, error_message, e.what()));
    return;
  }
  try {
    switch (decision.action) {
      case RetryDecision::Action::retry:
        store_.job_retry({fetched, std::string(job.queue()), std::move(payload), now + delay, owner_});
        break;
      case RetryDecision::Action::kill:
        store_.job_kill({fetched, std::move(payload), now, options_.retry.dead, owner_});
        break;
      case RetryDecision::Action::discard: store_.job_complete({{fetched}, owner_}); break;
    }
  } catch (const std::exception& e) {
    const std::string why =
        fmt::format("class={} jid={}: could not record its failure ({})", job.class_name(), job.jid(), e.what());
    if (decision.action == RetryDecision::Action::discard) {
      leave_for_later(fetched, why);  // it runs again later, and is discarded then
    } else if (refused_for_good(e)) {
      kill_verbatim(fetched, why);  // the store would refuse it the same way at every retry
    } else {
      retry_verbatim(fetched, now + delay, why);  // the store may take it later: a connection failed, say
    }
    return;
  }
  run_handlers(job, worker, decision, failure);
  const LogLevel level = decision.action == RetryDecision::Action::retry ? LogLevel::warn : LogLevel::error;
  log_safely(logger_, level, [&] {
    const std::string what = fmt::format("class={} jid={} failed: {}: {}", job.class_name(), job.jid(), error_class,
                                         error_message);
    switch (decision.action) {
      case RetryDecision::Action::retry:
        return fmt::format("{}; retry {} in {:.1f} s", what, decision.retry_count + 1,
                           std::chrono::duration<double>(delay).count());
      case RetryDecision::Action::kill:
        return fmt::format("{}; moved to the dead set after {} retries", what, decision.retry_count);
      case RetryDecision::Action::discard: break;
    }
    return fmt::format("{}; discarded (retry: false or dead: false)", what);
  });
}

void Retrier::run_handlers(const Job& job, const WorkerRegistry::Entry* worker, const RetryDecision& decision,
                           const Failure& failure) {
  using Reason = RetryDecision::Reason;
  const bool exhausted = decision.reason == Reason::exhausted;
  const bool dies = exhausted || decision.reason == Reason::retry_disabled;
  if (options_.retry.error_handlers.empty() && !dies) return;
  const auto call = [&](const JobErrorHandler& handler, std::string_view kind) {
    if (!handler) return;
    try {
      try {
        std::rethrow_exception(failure.error);
      } catch (const std::exception& e) {
        handler(job, e);
      } catch (...) {
        handler(job, Error(failure.error_message));
      }
    } catch (const std::exception& e) {
      log_safely(logger_, LogLevel::error, [&] {
        return fmt::format("class={} jid={}: a {} handler failed: {}", job.class_name(), job.jid(), kind, e.what());
      });
    } catch (...) {
      log_safely(logger_, LogLevel::error, [&] {
        return fmt::format("class={} jid={}: a {} handler threw a non-exception", job.class_name(), job.jid(), kind);
      });
    }
  };
  for (const auto& handler : options_.retry.error_handlers) call(handler, "error");
  if (exhausted && worker != nullptr) call(worker->retries_exhausted, "retries_exhausted");
  if (dies) {
    for (const auto& handler : options_.retry.death_handlers) call(handler, "death");
  }
}

void Retrier::payload_unreadable(const FetchedJob& fetched, std::string_view reason) {
  kill_verbatim(fetched, fmt::format("queue={} unreadable job: {}", fetched.queue, reason));
}

void Retrier::kill_verbatim(const FetchedJob& fetched, std::string_view why) {
  try {
    store_.job_kill({fetched, fetched.payload, Clock::now(), options_.retry.dead, owner_});
  } catch (const std::exception& e) {
    leave_for_later(fetched, fmt::format("{}; could not move it to the dead set either ({})", why, e.what()));
    return;
  }
  log_safely(logger_, LogLevel::error, [&] {
    return fmt::format("{}; moved to the dead set as it was fetched (`errand dead retry JID` brings it back)", why);
  });
}

void Retrier::retry_verbatim(const FetchedJob& fetched, TimePoint at, std::string_view why) {
  try {
    store_.job_retry({fetched, fetched.queue, fetched.payload, at, owner_});
  } catch (const std::exception& e) {
    leave_for_later(fetched, fmt::format("{}; retrying it as it was fetched failed too ({})", why, e.what()));
    return;
  }
  log_safely(logger_, LogLevel::error, [&] {
    return fmt::format("{}; retried as it was fetched, without the error fields, at {:.0f} (epoch seconds)", why,
                       epoch_seconds(at));
  });
}

void Retrier::leave_for_later(const FetchedJob& fetched, std::string_view why) {
  if (store_.capabilities().reliable_fetch) {
    // Still in this process's in-progress list (or leased): once this process no longer
    // holds it, the stranded-jobs check (or the lease's end) gives it back, seconds from
    // now. Pushing it back at once could loop it through the same failure.
    log_safely(logger_, LogLevel::error, [&] {
      return fmt::format("{}; it stays in progress and goes back to queue {} when this process's stranded-jobs "
                         "check (or its lease) gives it back",
                         why, fetched.queue);
    });
    return;
  }
  try {
    store_.job_give_back({.jobs = {fetched}, .owner = owner_});
  } catch (const std::exception& e) {
    log_safely(logger_, LogLevel::error, [&] {
      return fmt::format("{}; pushing it back to queue {} failed too ({}); job lost: {}", why, fetched.queue,
                         e.what(), preview(fetched.payload, 2000));
    });
    return;
  }
  log_safely(logger_, LogLevel::error,
             [&] { return fmt::format("{}; pushed it back to queue {}", why, fetched.queue); });
}

}  // namespace errand::detail
