// errand's whole error hierarchy, in one place.
//
// Every error says what went wrong, the value involved, and what to do next. The root
// type carries the source location that raised it and whether retrying may help.
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>

namespace errand {

/// Root of every exception errand throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message,
                 std::source_location where = std::source_location::current());

  /// Where in errand (or in your code, for errors you raise) this was thrown.
  [[nodiscard]] const std::source_location& where() const noexcept { return where_; }

  /// True when the same operation may succeed if tried again later
  /// (a dropped connection, a timeout); false for mistakes that need a fix.
  [[nodiscard]] virtual bool is_retryable() const noexcept { return false; }

 private:
  std::source_location where_;
};

/// A job's arguments do not fit its worker's `perform` signature: wrong count or type.
/// The message names the job class, jid, argument index, expected and actual type.
/// Thrown inside the processor, it sends the job down its retry path.
class ArgumentError : public Error {
 public:
  using Error::Error;
};

/// A payload is not a valid job: not JSON, not an object, or a required field
/// (`class`, `args`) is missing or of the wrong type.
class PayloadError : public Error {
 public:
  using Error::Error;
};

/// No worker is registered for a job's class. The job is retried, so that a deploy
/// that adds the worker can still run it.
class UnknownWorkerError : public Error {
 public:
  using Error::Error;
};

/// A job ran past its timeout (JobOptions::timeout, ProcessorOptions::job_timeout). Its
/// stop token fired at the deadline; however the job ended then, the run counts as
/// failed with this error and follows its retry policy.
class JobTimeoutError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] bool is_retryable() const noexcept override { return true; }
};

/// Invalid configuration: a malformed URL, an empty queue name, a bad weight.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// The store could not be reached or stopped answering: connect failure, timeout,
/// dropped connection. Retrying later may help.
class ConnectionError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] bool is_retryable() const noexcept override { return true; }
};

/// The store answered with an error (a Redis error reply, a failed statement).
class StoreError : public Error {
 public:
  using Error::Error;
};

}  // namespace errand
