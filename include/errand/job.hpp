// A job: the Sidekiq payload, kept as an ordered JSON object so that fields errand does
// not know (`bid`, `wrapped`, `cattr`, `lock_digest`, ...) survive every rewrite.
#pragma once

#include <errand/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace errand {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

/// The Sidekiq major version whose payloads errand writes. It decides the type of
/// `created_at`, `enqueued_at`, `failed_at` and `retried_at`: float epoch seconds up
/// to 7.x, integer epoch milliseconds from 8.0. errand reads both, whatever is set.
enum class SidekiqVersion { v6 = 6, v7 = 7, v8 = 8 };

/// A timestamp field's JSON value in `version`'s format.
[[nodiscard]] json::value timestamp_value(TimePoint t, SidekiqVersion version);

/// Reads a timestamp field written by any Sidekiq version: a float is epoch seconds,
/// an integer is epoch milliseconds (Sidekiq 8's rule, safe for all versions).
[[nodiscard]] std::optional<TimePoint> read_timestamp(const json::value& v);

/// Epoch seconds as a double, the unit of every Sidekiq sorted-set score.
[[nodiscard]] double epoch_seconds(TimePoint t);
/// The time point of `seconds` since the epoch, clamped to about ±285 years.
[[nodiscard]] TimePoint from_epoch_seconds(double seconds);

/// A new job id: 24 lowercase hex characters from 12 random bytes, as Sidekiq makes them.
[[nodiscard]] std::string new_jid();
/// A new UUID version 7 (time-ordered), as Roadster gives its jobs.
[[nodiscard]] std::string new_uuid_v7();

class Job {
 public:
  Job() = default;
  explicit Job(json::object fields) : fields_(std::move(fields)) {}

  /// Parses a payload. Throws errand::PayloadError when it is not JSON or not an object.
  /// Missing fields are not an error here: the processor reports them per job.
  [[nodiscard]] static Job parse(std::string_view payload);

  /// The payload as Ruby would write it (see errand::to_json).
  [[nodiscard]] std::string dump() const;

  [[nodiscard]] const json::object& fields() const noexcept { return fields_; }
  [[nodiscard]] json::object& fields() noexcept { return fields_; }

  /// True for Roadster's envelope, `{"metadata": {"id", "worker_name"}, "args": ...}`:
  /// no `class`, a `metadata` object.
  [[nodiscard]] bool is_roadster_envelope() const noexcept;
  /// `class` (Roadster: `metadata.worker_name`), or "" when absent or not a string.
  [[nodiscard]] std::string_view class_name() const noexcept;
  /// `jid` (Roadster: `metadata.id`), or "" when absent.
  [[nodiscard]] std::string_view jid() const noexcept;
  /// `queue`, or "default" when absent.
  [[nodiscard]] std::string_view queue() const noexcept;
  /// `args`. Throws errand::PayloadError when absent or not an array. In Roadster's
  /// envelope `args` is the one argument: it comes back as a one-element array.
  [[nodiscard]] const json::array& args() const;
  /// `retry_count`: absent until the first failure, then 0, 1, 2, ...
  [[nodiscard]] std::optional<std::int64_t> retry_count() const noexcept;

  /// The field `key`, or nullptr.
  [[nodiscard]] const json::value* find(std::string_view key) const noexcept;

  /// Sets `key` to `value`, keeping the key's position when it already exists.
  void set(std::string_view key, json::value value);
  /// Removes `key`, keeping the order of the others.
  void erase(std::string_view key);

 private:
  json::object fields_;
  mutable std::optional<json::array> envelope_args_;  // args() of a Roadster envelope
};

}  // namespace errand
