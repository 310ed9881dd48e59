// Small text helpers for error and log messages.
#pragma once

#include <fmt/format.h>

#include <exception>

#include <string>
#include <string_view>

namespace errand::detail {

/// `text` quoted and escaped, cut to `max` bytes with "..." when longer: for showing
/// untrusted payloads in messages without flooding logs.
inline std::string preview(std::string_view text, std::size_t max = 80) {
  if (text.size() <= max) return fmt::format("{:?}", text);
  return fmt::format("{:?}...", text.substr(0, max));
}

}  // namespace errand::detail

namespace errand::detail {

/// `text` as valid UTF-8 (invalid bytes become U+FFFD), cut after `max_chars` code
/// points: what Sidekiq does to an error message before storing it. NUL becomes U+FFFD
/// too, so that every store can hold the message (Postgres's jsonb cannot hold NUL).
std::string scrub_utf8(std::string_view text, std::size_t max_chars);

/// The readable class name of the exception's dynamic type (`std::runtime_error`).
std::string exception_class_name(const std::exception& e);

}  // namespace errand::detail
