#include <errand/options.hpp>

namespace errand {
namespace {
json::value bool_or_count(const std::variant<bool, std::int64_t>& v) {
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::int64_t>(v);
}
}  // namespace

json::value Retry::to_json() const { return bool_or_count(value_); }
json::value Backtrace::to_json() const { return bool_or_count(value_); }

JobOptions JobOptions::merged_with(const JobOptions& overrides) const {
  JobOptions out = *this;
  if (overrides.queue) out.queue = overrides.queue;
  if (overrides.retry) out.retry = overrides.retry;
  if (overrides.backtrace) out.backtrace = overrides.backtrace;
  if (overrides.retry_queue) out.retry_queue = overrides.retry_queue;
  if (overrides.dead) out.dead = overrides.dead;
  if (!overrides.tags.empty()) out.tags = overrides.tags;
  if (overrides.format) out.format = overrides.format;
  if (overrides.timeout) out.timeout = overrides.timeout;
  return out;
}

}  // namespace errand
