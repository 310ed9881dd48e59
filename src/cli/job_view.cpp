#include "cli/job_view.hpp"
#include "core/text.hpp"

#include "cli/table.hpp"

#include <errand/error.hpp>

#include <fmt/format.h>

#include <ctime>
#include <ostream>

namespace errand::cli {
namespace {

std::string string_field(const Job& job, std::string_view key) {
  const json::value* v = job.find(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  return to_json(*v);
}

}  // namespace

std::string iso_time(TimePoint t) {
  const std::time_t seconds = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

JobView view_of(std::string_view payload) {
  JobView view;
  view.raw = std::string(payload);
  try {
    const Job job = Job::parse(payload);
    view.jid = std::string(job.jid());
    view.class_name = std::string(job.class_name());
    view.queue = std::string(job.queue());
    view.retry_count = job.retry_count();
    view.error_class = string_field(job, "error_class");
    view.error_message = string_field(job, "error_message");
    view.job = json::value(job.fields());
  } catch (const Error&) {
    view.error_message = "unreadable payload";
  }
  return view;
}

void print_entries(std::ostream& out, JobSet set, const std::vector<SetEntry>& entries) {
  const bool failed = set != JobSet::scheduled;
  std::vector<std::string> headers{"jid", "class", "queue", "at"};
  if (failed) headers.insert(headers.end(), {"retries", "error"});
  Table table(std::move(headers));
  for (const auto& entry : entries) {
    const JobView v = view_of(entry.payload);
    std::vector<std::string> row{v.jid, v.class_name, v.queue, iso_time(entry.at)};
    if (failed) {
      row.push_back(v.retry_count ? std::to_string(*v.retry_count) : "");
      row.push_back(v.error_class.empty() ? v.error_message : fmt::format("{}: {}", v.error_class, v.error_message));
    }
    table.add(std::move(row));
  }
  table.print(out);
}

json::object entry_json(const SetEntry& entry) {
  const JobView v = view_of(entry.payload);
  json::object out;
  out["jid"] = v.jid;
  out["class"] = v.class_name;
  out["queue"] = v.queue;
  out["at"] = iso_time(entry.at);
  out["at_epoch"] = epoch_seconds(entry.at);
  out["retry_count"] = v.retry_count ? json::value(*v.retry_count) : json::value(nullptr);
  out["error_class"] = v.error_class;
  out["error_message"] = v.error_message;
  // An unreadable payload is shown as text; invalid UTF-8 in it becomes U+FFFD so that
  // the output stays valid JSON.
  out["job"] = v.job ? *v.job : json::value(detail::scrub_utf8(v.raw, v.raw.size()));
  return out;
}

const char* set_name(JobSet set) {
  switch (set) {
    case JobSet::scheduled: return "scheduled";
    case JobSet::retry: return "retries";
    case JobSet::dead: return "dead";
  }
  return "?";
}

}  // namespace errand::cli
