// JSON text in Ruby's style (see errand/json.hpp).
#include <errand/error.hpp>
#include <errand/json.hpp>

#include "core/text.hpp"

#include <boost/json/stream_parser.hpp>
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace errand {
namespace {

void append_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xf]);
    }
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out.push_back('"');
}

template <class Int>
void append_integer(std::string& out, Int n) {
  std::array<char, 24> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  out.append(buf.data(), result.ptr);
}

}  // namespace

std::string format_double(double value) {
  if (!std::isfinite(value)) {
    throw PayloadError(fmt::format("errand: cannot write {} as JSON or as a score: JSON has no NaN or infinity "
                                   "(check the job arguments for a division by zero)",
                                   value));
  }
  // Ruby's Float#to_s: fixed notation between 1e-4 and 1e16, else "1.0e+16"; always a '.'.
  std::array<char, 64> buf{};
  const double magnitude = std::fabs(value);
  const bool scientific = magnitude != 0.0 && (magnitude >= 1e16 || magnitude < 1e-4);
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                                    scientific ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buf.data(), result.ptr);
  if (scientific) {
    const auto e = text.find('e');
    if (text.find('.') == std::string::npos) text.insert(e, ".0");
  } else if (text.find('.') == std::string::npos) {
    text += ".0";
  }
  return text;
}

void append_json(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += value.get_bool() ? "true" : "false"; break;
    case json::kind::int64: append_integer(out, value.get_int64()); break;
    case json::kind::uint64: append_integer(out, value.get_uint64()); break;
    case json::kind::double_: out += format_double(value.get_double()); break;
    case json::kind::string: append_string(out, value.get_string()); break;
    case json::kind::array: append_json(out, value.get_array()); break;
    case json::kind::object: append_json(out, value.get_object()); break;
  }
}

void append_json(std::string& out, const json::array& array) {
  out.push_back('[');
  bool first = true;
  for (const auto& item : array) {
    if (!first) out.push_back(',');
    first = false;
    append_json(out, item);
  }
  out.push_back(']');
}

void append_json(std::string& out, const json::object& object) {
  out.push_back('{');
  bool first = true;
  for (const auto& member : object) {
    if (!first) out.push_back(',');
    first = false;
    append_string(out, member.key());
    out.push_back(':');
    append_json(out, member.value());
  }
  out.push_back('}');
}

namespace {
template <class Json>
std::string write(const Json& json) {
  std::string out;
  out.reserve(256);
  append_json(out, json);
  return out;
}
}  // namespace

std::string to_json(const json::value& value) { return write(value); }
std::string to_json(const json::object& object) { return write(object); }
std::string to_json(const json::array& array) { return write(array); }

json::value parse_json(std::string_view text) {
  json::parse_options options;
  options.max_depth = 100;  // Ruby's JSON.parse nesting limit (Boost.JSON's default is 32)
  json::stream_parser parser({}, options);
  boost::system::error_code ec;
  const std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = json::error::extra_data;
  if (!ec) parser.finish(ec);
  if (ec) {
    throw PayloadError(fmt::format("errand: invalid JSON ({}) near byte {} of {}: {}", ec.message(), consumed,
                                   text.size(), detail::preview(text)));
  }
  return parser.release();
}

}  // namespace errand
