// JSON text in Ruby's style (see errand/json.hpp).
#include <errand/error.hpp>
#include <errand/json.hpp>

#include "core/text.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace errand {
using detail::preview;
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

namespace {

/// The value of a JSON number too large or too small for a double. `from_chars` leaves
/// such values unset; the decimal exponent of the first significant digit tells which.
/// Underflow reads as a signed zero (the correctly rounded value); overflow has none.
std::optional<double> out_of_range_value(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  long long exponent = 0;
  if (const auto e = text.find_first_of("eE"); e != std::string_view::npos) {
    std::string_view digits = text.substr(e + 1);
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    if (std::from_chars(digits.data(), digits.data() + digits.size(), exponent).ec != std::errc{}) {
      exponent = digits.starts_with('-') ? std::numeric_limits<long long>::min() / 2
                                         : std::numeric_limits<long long>::max() / 2;
    }
    text = text.substr(0, e);
  }
  const std::size_t point = std::min(text.find('.'), text.size());
  const std::size_t first = text.find_first_of("123456789");
  // Position of the first significant digit relative to the decimal point.
  const long long shift = first < point ? static_cast<long long>(point - first) - 1
                                        : -static_cast<long long>(first - point);
  if (exponent + shift > 0) return std::nullopt;
  return negative ? -0.0 : 0.0;
}

/// Builds the value as Boost.JSON's own parser does, except for numbers: each one is
/// read again from its own text, correctly rounded (Boost.JSON 1.81's conversion is
/// off by one unit in the last place for about one double in six), and a number beyond
/// the range of a double is refused rather than turned into infinity.
class ExactNumbers {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::string refused;  ///< the text of a number refused, for the error message

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) { st.push_object(n); return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) { st.push_array(n); return true; }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) { st.push_chars(s); return true; }
  bool on_key(json::string_view s, std::size_t, json::error_code&) { st.push_key(s); return true; }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) { st.push_chars(s); return true; }
  bool on_string(json::string_view s, std::size_t, json::error_code&) { st.push_string(s); return true; }
  bool on_number_part(json::string_view s, json::error_code&) { number_.append(s.data(), s.size()); return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number_.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number_.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double, json::string_view last, json::error_code& ec) {
    std::string_view text(last.data(), last.size());
    if (!number_.empty()) {
      number_.append(last.data(), last.size());
      text = number_;
    }
    // Integers past 64 bits come here too, and become doubles, as in JavaScript and in
    // Rust's serde_json: Postgres's jsonb writes a float such as 1e300 as 301 digits.
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    std::optional<double> exact = value;
    if (result.ec == std::errc::result_out_of_range) {
      exact = out_of_range_value(text);
    } else if (result.ec != std::errc{}) {
      exact.reset();
    }
    if (!exact) {
      refused = text;
      number_.clear();
      ec = json::error::exponent_overflow;
      return false;
    }
    number_.clear();
    st.push_double(*exact);
    return true;
  }
  bool on_bool(bool b, json::error_code&) { st.push_bool(b); return true; }
  bool on_null(json::error_code&) { st.push_null(); return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::string number_;  // the parts of a number split across writes
};

}  // namespace

json::value parse_json(std::string_view text) {
  json::parse_options options;
  options.max_depth = 100;  // Ruby's JSON.parse nesting limit (Boost.JSON's default is 32)
  json::basic_parser<ExactNumbers> parser(options);
  parser.handler().st.reset();
  boost::system::error_code ec;
  const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = json::error::extra_data;
  if (ec) {
    if (const std::string& number = parser.handler().refused; !number.empty()) {
      throw PayloadError(fmt::format(
          "errand: the number {} near byte {} of {} is beyond the range of a double (about ±1.8e308), so errand "
          "cannot keep it; send it as a string: {}",
          preview(number, 40), consumed, text.size(), preview(text)));
    }
    throw PayloadError(fmt::format("errand: invalid JSON ({}) near byte {} of {}: {}", ec.message(), consumed,
                                   text.size(), preview(text)));
  }
  return parser.handler().st.release();
}

}  // namespace errand
