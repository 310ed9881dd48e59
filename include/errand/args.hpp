// Typed job arguments: the conversion between C++ values and the JSON in a job's `args`.
//
// Supported out of the box: bool, integers (range-checked), floating point, std::string,
// std::optional<T> (JSON null), std::vector<T> (array), std::map / std::unordered_map
// with string keys (object), structs described with BOOST_DESCRIBE_STRUCT (object; extra
// keys are ignored, a missing key is an error unless its member is a std::optional), and
// raw JSON (json::value, json::object, json::array). Other types: specialize
// errand::ArgCodec<T> with `static json::value encode(const T&)` and
// `static T decode(const json::value&)`.
#pragma once

#include <errand/detail/arg_codec.hpp>
#include <errand/error.hpp>
#include <errand/json.hpp>

namespace errand {

/// Converts `value` to the JSON it has in a job's args.
template <class T>
[[nodiscard]] json::value encode_arg(const T& value) {
  return ArgCodec<T>::encode(value);
}

/// Converts JSON to `T`. Throws errand::ArgumentError naming where (e.g. `[2].year`),
/// the expected and the actual JSON type.
template <class T>
[[nodiscard]] T decode_arg(const json::value& value) {
  try {
    return ArgCodec<T>::decode(value);
  } catch (const detail::ArgMismatch& m) {
    throw ArgumentError(m.message());
  }
}

}  // namespace errand
