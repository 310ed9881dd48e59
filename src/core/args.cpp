// Out-of-line pieces of typed-argument conversion and worker naming.
#include <errand/args.hpp>
#include <errand/worker.hpp>

#include <fmt/format.h>

namespace errand {
namespace detail {

std::string_view json_kind(const json::value& v) noexcept {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "float";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "value";
}

void throw_mismatch(std::string_view expected, const json::value& actual) {
  constexpr std::size_t max_shown = 40;
  std::string text = to_json(actual);
  if (text.size() > max_shown) text = text.substr(0, max_shown) + "...";
  throw ArgMismatch{{}, fmt::format("expected {}, got {} {}", expected, json_kind(actual), text)};
}

void throw_out_of_range(bool is_signed, std::size_t bits, const json::value& actual) {
  throw_mismatch(fmt::format("integer in range of {} {}-bit type", is_signed ? "a signed" : "an unsigned", bits),
                 actual);
}

void prepend_index(ArgMismatch& m, std::size_t index) { m.path.insert(0, fmt::format("[{}]", index)); }
void prepend_key(ArgMismatch& m, std::string_view key) { m.path.insert(0, fmt::format(".{}", key)); }

void throw_missing_key(std::string_view key) {
  throw ArgMismatch{{}, fmt::format("missing key \"{}\" (make the member a std::optional if it may be absent)", key)};
}

void throw_arity_error(const Job& job, std::size_t expected, std::size_t actual) {
  throw ArgumentError(fmt::format("errand: job {} (jid {}): expected {} argument{}, got {}", job.class_name(),
                                  job.jid(), expected, expected == 1 ? "" : "s", actual));
}

void throw_argument_error(const Job& job, std::size_t index, const ArgMismatch& mismatch) {
  throw ArgumentError(fmt::format("errand: job {} (jid {}): argument {}{}: {}", job.class_name(), job.jid(), index,
                                  mismatch.path, mismatch.problem));
}

std::string clean_type_name(std::string_view raw) {
  std::string name(raw);
  for (std::string_view marker : {"(anonymous namespace)::", "{anonymous}::"}) {
    for (auto at = name.find(marker); at != std::string::npos; at = name.find(marker)) name.erase(at, marker.size());
  }
  return name;
}

}  // namespace detail
}  // namespace errand
