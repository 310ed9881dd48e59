// Small pieces every store needs, written once.
#pragma once

#include <errand/error.hpp>
#include <errand/job.hpp>
#include <errand/store.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <string_view>

namespace errand::detail {

/// The queue a payload belongs in: its "queue" field, or "default" when the payload is
/// unreadable (it then dies in that queue, with its error recorded).
inline std::string queue_of(std::string_view payload) {
  try {
    return std::string(Job::parse(payload).queue());
  } catch (const Error&) {
    return "default";
  }
}

/// The queue a payload names in its "queue" field, or `fallback` (the queue it came
/// from) when it names none or is unreadable.
inline std::string queue_of(std::string_view payload, std::string_view fallback) {
  try {
    const Job job = Job::parse(payload);
    if (const auto* queue = job.fields().if_contains("queue"); queue != nullptr && queue->is_string()) {
      return std::string(queue->as_string());
    }
  } catch (const Error&) {
  }
  return std::string(fallback);
}

/// True when `payload` is one of the entries `which` selects (by jid, or all).
inline bool selected(std::string_view payload, const SetSelection& which) {
  if (which.all) return true;
  std::string jid;
  try {
    jid = std::string(Job::parse(payload).jid());
  } catch (const Error&) {
    return false;
  }
  return !jid.empty() && std::find(which.jids.begin(), which.jids.end(), jid) != which.jids.end();
}

/// The payload that "retry now" pushes: retry_count lowered by one, as Sidekiq's
/// SortedEntry#retry does (the next failure counts it up again). Unreadable: as it is.
inline std::string for_manual_retry(std::string_view payload) {
  try {
    Job job = Job::parse(payload);
    if (const auto count = job.retry_count()) job.set("retry_count", *count - 1);
    return job.dump();
  } catch (const Error&) {
    return std::string(payload);
  }
}

/// A due scheduled job or retry, ready for its queue.
struct DueJob {
  std::string payload;  ///< with `enqueued_at` set, as Sidekiq's poller does (it pushes through Sidekiq::Client)
  std::string queue;    ///< as queue_of(payload)
};

/// `payload` parsed once for both: `enqueued_at` set to `now` in `version`'s format, and
/// its queue. Unreadable: as it is, to "default" (the processor sends it to the dead set).
inline DueJob due_job(std::string_view payload, TimePoint now, SidekiqVersion version) {
  Job job;
  try {
    job = Job::parse(payload);
  } catch (const Error&) {
    return {std::string(payload), "default"};
  }
  std::string queue(job.queue());
  try {
    job.set("enqueued_at", timestamp_value(now, version));
    return {job.dump(), std::move(queue)};
  } catch (const Error&) {
    return {std::string(payload), std::move(queue)};
  }
}

/// "2026-11-23": the UTC date of Sidekiq's daily stats keys.
inline std::string utc_date(TimePoint t) {
  const std::time_t seconds = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace errand::detail
