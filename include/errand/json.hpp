// JSON as errand uses it: Boost.JSON values, written the way Ruby's JSON.generate writes them.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace errand {

namespace json = boost::json;

/// Compact JSON text of `value`, byte-compatible with Ruby's `JSON.generate`:
/// no spaces, keys in insertion order, raw UTF-8, floats in Ruby's `Float#to_s`
/// form (`1700000000.123456`, `1.0`, `1.0e+20`). Throws errand::PayloadError for
/// NaN or infinity, which JSON cannot represent.
[[nodiscard]] std::string to_json(const json::value& value);

/// Appends the JSON text of `value` to `out` (see to_json).
void append_json(std::string& out, const json::value& value);
/// The same for an object or an array, without first copying it into a json::value.
void append_json(std::string& out, const json::object& object);
void append_json(std::string& out, const json::array& array);
[[nodiscard]] std::string to_json(const json::object& object);
[[nodiscard]] std::string to_json(const json::array& array);

/// A double as Ruby's `Float#to_s` prints it (shortest text that reads back exactly).
/// Used for JSON numbers and for sorted-set scores.
[[nodiscard]] std::string format_double(double value);

/// Parses JSON text. Throws errand::PayloadError naming the parse error and offset.
[[nodiscard]] json::value parse_json(std::string_view text);

}  // namespace errand
