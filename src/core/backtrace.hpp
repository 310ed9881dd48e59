// Backtraces for Sidekiq's `backtrace` option: where a job's exception was thrown,
// stored in the job as `error_backtrace`.
#pragma once

#include <errand/job.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace errand::detail {

/// While alive, records the stack of each exception thrown on this thread (at the
/// throw, which is where it is worth having). Costs nothing when `enabled` is false.
class ThrowTraceScope {
 public:
  explicit ThrowTraceScope(bool enabled) noexcept;
  ThrowTraceScope(const ThrowTraceScope&) = delete;
  ThrowTraceScope& operator=(const ThrowTraceScope&) = delete;
  ~ThrowTraceScope();
};

/// The frames of the last exception thrown on this thread inside a ThrowTraceScope,
/// symbolized and demangled where the binary allows (link with -rdynamic for names).
/// If the throw was not seen (thrown outside a scope, or a runtime that kept the hook
/// from running), the stack of the caller instead.
std::vector<std::string> thrown_trace();

/// Sidekiq's `error_backtrace`: base64(zlib(JSON array of lines)); MIME base64 with a
/// newline every 60 characters up to 7.2 (v6), strict from 7.3 (v7, v8).
std::string encode_error_backtrace(const std::vector<std::string>& lines, SidekiqVersion version);
/// The reverse, for streams errand wrote (stored zlib blocks). Throws PayloadError.
std::vector<std::string> decode_error_backtrace(std::string_view text);

}  // namespace errand::detail
