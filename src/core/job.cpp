#include <errand/error.hpp>
#include <errand/job.hpp>

#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <random>

namespace errand {

json::value timestamp_value(TimePoint t, SidekiqVersion sidekiq) {
  if (sidekiq == SidekiqVersion::v8) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  return epoch_seconds(t);
}

std::optional<TimePoint> read_timestamp(const json::value& v) {
  if (v.is_double()) return from_epoch_seconds(v.get_double());
  if (v.is_int64()) return TimePoint(std::chrono::milliseconds(v.get_int64()));
  if (v.is_uint64()) return TimePoint(std::chrono::milliseconds(static_cast<std::int64_t>(v.get_uint64())));
  return std::nullopt;
}

double epoch_seconds(TimePoint t) {
  // Microsecond resolution, as the digits Ruby's Time#to_f usually carries.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  return static_cast<double>(us) / 1e6;
}

TimePoint from_epoch_seconds(double seconds) {
  // Clamped (and NaN taken as 0), so that no input can overflow the clock's integer.
  constexpr double limit = 9.0e9;  // ~ year 2255; system_clock counts int64 nanoseconds
  if (!(seconds == seconds)) seconds = 0;
  seconds = std::clamp(seconds, -limit, limit);
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
}

namespace {
std::mt19937_64& id_rng() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return rng;
}
}  // namespace

std::string new_uuid_v7() {
  // RFC 9562: 48 bits of Unix milliseconds, version 7, 12 random bits, variant 10, 62 random bits.
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count());
  const std::uint64_t high = (ms << 16) | 0x7000U | (id_rng()() & 0x0fffU);
  const std::uint64_t low = (id_rng()() & 0x3fff'ffff'ffff'ffffULL) | 0x8000'0000'0000'0000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffffU, high & 0xffffU,
                     low >> 48, low & 0xffff'ffff'ffffULL);
}

std::string new_jid() {
  auto& rng = id_rng();
  static constexpr char hex[] = "0123456789abcdef";
  std::string jid(24, '0');
  for (std::size_t i = 0; i < jid.size(); i += 16) {
    std::uint64_t bits = rng();
    for (std::size_t j = i; j < std::min(i + 16, jid.size()); ++j, bits >>= 4) jid[j] = hex[bits & 0xf];
  }
  return jid;
}

Job Job::parse(std::string_view payload) {
  json::value v = parse_json(payload);
  if (!v.is_object()) {
    throw PayloadError(fmt::format("errand: a job payload must be a JSON object, got {}", detail::preview(payload)));
  }
  return Job(std::move(v.get_object()));
}

std::string Job::dump() const {
  std::string out;
  out.reserve(256);
  append_json(out, fields_);
  return out;
}

namespace {
std::string_view string_field(const json::object& fields, std::string_view key) {
  const auto* v = fields.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}
}  // namespace

bool Job::is_roadster_envelope() const noexcept {
  const auto* metadata = fields_.if_contains("metadata");
  return metadata != nullptr && metadata->is_object() && !fields_.contains("class");
}

std::string_view Job::class_name() const noexcept {
  if (is_roadster_envelope()) return string_field(fields_.at("metadata").get_object(), "worker_name");
  return string_field(fields_, "class");
}

std::string_view Job::jid() const noexcept {
  if (!fields_.contains("jid") && is_roadster_envelope()) return string_field(fields_.at("metadata").get_object(), "id");
  return string_field(fields_, "jid");
}

std::string_view Job::queue() const noexcept {
  const auto* v = fields_.if_contains("queue");
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view("default");
}

const json::array& Job::args() const {
  const auto* v = fields_.if_contains("args");
  if (v == nullptr) {
    throw PayloadError(fmt::format("errand: job {} (jid {}) has no \"args\" field", class_name(), jid()));
  }
  if (is_roadster_envelope()) {
    if (!envelope_args_) envelope_args_ = json::array{*v};
    return *envelope_args_;
  }
  if (!v->is_array()) {
    throw PayloadError(fmt::format("errand: job {} (jid {}): \"args\" must be an array, got {}", class_name(), jid(),
                                   detail::preview(to_json(*v))));
  }
  return v->get_array();
}

std::optional<std::int64_t> Job::retry_count() const noexcept {
  const auto* v = fields_.if_contains("retry_count");
  if (v && v->is_int64()) return v->get_int64();
  return std::nullopt;
}

const json::value* Job::find(std::string_view key) const noexcept { return fields_.if_contains(key); }

void Job::set(std::string_view key, json::value value) {
  envelope_args_.reset();
  fields_[key] = std::move(value);
}

void Job::erase(std::string_view key) {
  // Boost.JSON's erase swaps the last member into the hole; rebuild to keep the order.
  if (!fields_.contains(key)) return;
  envelope_args_.reset();
  json::object kept(fields_.storage());
  kept.reserve(fields_.size());
  for (auto& member : fields_) {
    if (member.key() != key) kept.emplace(member.key(), std::move(member.value()));
  }
  fields_ = std::move(kept);
}

}  // namespace errand
