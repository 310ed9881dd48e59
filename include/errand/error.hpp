// errand's whole error hierarchy, in one place.
//
// Every error says what went wrong, the value involved, and what to do next; its type
// says what kind of problem it is, and is_retryable() whether trying again may help.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace errand {

/// Root of every exception errand throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}

  /// True when the same operation may succeed if tried again later (a dropped
  /// connection, a timeout, a busy store), e.g. for an application deciding whether to
  /// retry an enqueue; false for mistakes that need a fix. errand's retrier uses it too:
  /// a failure it cannot record because of a non-retryable error goes to the dead set as
  /// fetched, since writing it again would be refused again.
  [[nodiscard]] virtual bool is_retryable() const noexcept { return false; }
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

/// A round trip to the store ran out of time (`command_timeout` on Redis). The store may
/// or may not have applied the operation: errand never retries such a write by itself,
/// since a push could then be stored twice.
class TimeoutError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};

/// The store answered with an error (a Redis error reply, a failed statement). Retryable
/// unless a subclass knows better: the store may take the same operation later (Redis
/// still LOADING, out of memory, an SQLite file busy or full), and errand cannot tell a
/// lasting refusal from a passing one by the text of a reply.
class StoreError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] bool is_retryable() const noexcept override { return true; }
};

/// Postgres refused a statement. sqlstate() is its SQLSTATE code, e.g. "23505"
/// (unique_violation) or "57014" (query_canceled): see Postgres's "Error Codes" appendix.
/// Retryable for the classes that pass: 08 (connection), 40 (serialization failure,
/// deadlock), 53 (insufficient resources), 55 (lock not available), 57 (canceled, server
/// shutting down), 58 (system I/O); not for the rest, which the same statement meets
/// again (22 bad data, 23 constraint violated, 25 transaction aborted, 42 bad SQL, ...).
class SqlError : public StoreError {
 public:
  SqlError(const std::string& message, std::string sqlstate) : StoreError(message), sqlstate_(std::move(sqlstate)) {}
  [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }
  [[nodiscard]] bool is_retryable() const noexcept override {
    const std::string_view sqlstate_class = std::string_view(sqlstate_).substr(0, 2);
    for (const std::string_view passing : {"08", "40", "53", "55", "57", "58"}) {
      if (sqlstate_class == passing) return true;
    }
    return false;
  }

 private:
  std::string sqlstate_;
};

}  // namespace errand
