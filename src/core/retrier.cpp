#include "core/retrier.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

namespace errand::detail {
namespace {
constexpr std::size_t max_error_message_chars = 10'000;  // Sidekiq's limit
}

RetryDecision decide_retry(const Job& job, const JobOptions* worker_options, int default_max) {
  json::value retry = true;
  if (const json::value* field = job.find("retry"); field != nullptr && !field->is_null()) {
    retry = *field;
  } else if (worker_options != nullptr && worker_options->retry) {
    retry = worker_options->retry->to_json();
  }
  const std::optional<std::int64_t> previous = job.retry_count();
  const std::int64_t count = previous ? *previous + 1 : 0;

  if (retry.is_bool() && !retry.get_bool()) return {RetryDecision::Action::discard, count};
  const std::int64_t max = retry.is_int64() ? retry.get_int64() : default_max;
  if (count < max) return {RetryDecision::Action::retry, count};

  bool keep_dead = true;
  if (const json::value* dead = job.find("dead"); dead != nullptr && dead->is_bool()) {
    keep_dead = dead->get_bool();
  } else if (worker_options != nullptr && worker_options->dead) {
    keep_dead = *worker_options->dead;
  }
  return {keep_dead ? RetryDecision::Action::kill : RetryDecision::Action::discard, count};
}

std::chrono::seconds default_retry_delay(std::int64_t count, std::mt19937_64& rng) {
  const std::int64_t jitter = std::uniform_int_distribution<std::int64_t>(0, 9)(rng) * (count + 1);
  return std::chrono::seconds(count * count * count * count + 15 + jitter);
}

Retrier::Retrier(Store& store, Logger& logger, const ProcessorOptions& options)
    : store_(store), logger_(logger), options_(options), rng_(std::random_device{}()) {}

void Retrier::record_error(Job& job, const RetryDecision& decision, std::string_view error_class,
                           std::string_view error_message, TimePoint now) const {
  if (const json::value* retry_queue = job.find("retry_queue"); retry_queue != nullptr && retry_queue->is_string()) {
    job.set("queue", *retry_queue);
  }
  job.set("error_message", json::string(scrub_utf8(error_message, max_error_message_chars)));
  job.set("error_class", json::string(scrub_utf8(error_class, max_error_message_chars)));
  if (job.retry_count()) {
    job.set("retried_at", timestamp_value(now, options_.sidekiq_version));
  } else {
    job.set("failed_at", timestamp_value(now, options_.sidekiq_version));
  }
  job.set("retry_count", decision.retry_count);
}

void Retrier::job_failed(const FetchedJob& fetched, Job job, const JobOptions* worker_options,
                         std::string_view error_class, std::string_view error_message) {
  const RetryDecision decision = decide_retry(job, worker_options, options_.retry.max_retries);
  const TimePoint now = Clock::now();
  record_error(job, decision, error_class, error_message, now);
  const std::string who = fmt::format("class={} jid={}", job.class_name(), job.jid());
  try {
    switch (decision.action) {
      case RetryDecision::Action::retry: {
        std::chrono::seconds delay;
        {
          std::lock_guard lock(rng_mutex_);
          delay = default_retry_delay(decision.retry_count, rng_);
        }
        store_.job_retry({fetched, job.dump(), now + delay});
        logger_.warn(fmt::format("{} failed: {}: {}; retry {} in {} s", who, error_class, error_message,
                                 decision.retry_count + 1, delay.count()));
        break;
      }
      case RetryDecision::Action::kill:
        store_.job_kill({fetched, job.dump(), now, options_.retry.dead});
        logger_.error(fmt::format("{} failed: {}: {}; retries exhausted ({}), moved to the dead set", who,
                                  error_class, error_message, decision.retry_count));
        break;
      case RetryDecision::Action::discard:
        store_.job_complete({{fetched}});
        logger_.error(fmt::format("{} failed: {}: {}; discarded (retry: false or dead: false)", who, error_class,
                                  error_message));
        break;
    }
  } catch (const std::exception& e) {
    requeue_as_last_resort(fetched, fmt::format("{}: could not record its failure ({})", who, e.what()));
  }
}

void Retrier::payload_unreadable(const FetchedJob& fetched, std::string_view reason) {
  logger_.error(fmt::format("queue={} unreadable job moved to the dead set: {}", fetched.queue, reason));
  try {
    store_.job_kill({fetched, fetched.payload, Clock::now(), options_.retry.dead});
  } catch (const std::exception& e) {
    requeue_as_last_resort(fetched, fmt::format("unreadable job: could not move it to the dead set ({})", e.what()));
  }
}

void Retrier::requeue_as_last_resort(const FetchedJob& fetched, std::string_view why) {
  try {
    store_.job_requeue({{fetched}});
    logger_.error(fmt::format("{}; pushed it back to queue {}", why, fetched.queue));
  } catch (const std::exception& e) {
    logger_.error(fmt::format("{}; pushing it back to queue {} failed too ({}); job lost: {}", why, fetched.queue,
                              e.what(), preview(fetched.payload, 2000)));
  }
}

}  // namespace errand::detail
