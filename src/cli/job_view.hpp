// What the admin commands show of a job: its fields, read leniently (a dead job may be
// unreadable text), as table cells or as JSON.
#pragma once

#include <errand/json.hpp>
#include <errand/job.hpp>
#include <errand/store.hpp>

#include <optional>
#include <string>
#include <vector>

namespace errand::cli {

/// "2026-11-23T13:21:24Z".
std::string iso_time(TimePoint t);

struct JobView {
  std::string jid;
  std::string class_name;
  std::string queue;
  std::optional<std::int64_t> retry_count;
  std::string error_class;
  std::string error_message;
  std::optional<json::value> job;  ///< the parsed payload, nullopt when unreadable
  std::string raw;                 ///< the payload as stored
};

JobView view_of(std::string_view payload);

/// The table of a job set's entries: jid, class, queue, at, and retries and error for
/// the retry and dead sets.
void print_entries(std::ostream& out, JobSet set, const std::vector<SetEntry>& entries);

/// {"jid", "class", "queue", "at", "retry_count", "error_class", "error_message", "job"}.
json::object entry_json(const SetEntry& entry);

/// "retries", "dead" or "scheduled": the command's name for the set.
const char* set_name(JobSet set);

}  // namespace errand::cli
