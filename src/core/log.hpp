// Logging that can never throw into the code paths that keep jobs safe.
#pragma once

#include <errand/logger.hpp>

#include <string>

namespace errand::detail {

/// Logs `make_message()` at `level`. Building or writing the line may fail (out of
/// memory, a user's logger that throws); that is swallowed, since a lost log line must
/// never turn into a lost job.
template <class MakeMessage>
void log_safely(Logger& logger, LogLevel level, MakeMessage&& make_message) noexcept {
  try {
    if (logger.enabled(level)) logger.log(level, make_message());
  } catch (...) {  // NOLINT(bugprone-empty-catch): see above
  }
}

}  // namespace errand::detail
