// errand::ArgCodec<T>: how each supported C++ type maps to JSON. Use errand/args.hpp.
#pragma once

#include <errand/json.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace errand {

template <class T, class Enable = void>
struct ArgCodec {
  static_assert(sizeof(T) == 0,
                "errand: this type cannot be a job argument. Use a JSON-native type, a "
                "BOOST_DESCRIBE_STRUCT struct, or specialize errand::ArgCodec<T>.");
};

namespace detail {

/// Internal: a conversion failure, with the path to the offending value built up
/// while the exception unwinds (so the success path builds no strings).
struct ArgMismatch {
  std::string path;     ///< e.g. `[2].year`; empty at the top
  std::string problem;  ///< e.g. `expected integer, got string "x"`
  [[nodiscard]] std::string message() const { return path.empty() ? problem : path + ": " + problem; }
};

/// "string", "integer", "float", "boolean", "null", "array" or "object".
std::string_view json_kind(const json::value& v) noexcept;
/// Throws ArgMismatch: `expected <expected>, got <kind> <short rendering of actual>`.
[[noreturn]] void throw_mismatch(std::string_view expected, const json::value& actual);
[[noreturn]] void throw_out_of_range(bool is_signed, std::size_t bits, const json::value& actual);
[[noreturn]] void throw_missing_key(std::string_view key);
/// Prefix the path of a mismatch found inside an array element or an object member.
void prepend_index(ArgMismatch& m, std::size_t index);
void prepend_key(ArgMismatch& m, std::string_view key);

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

/// Decodes an element or member; on failure, adds where it was (`[3]` or `.name`) to the path.
template <class T, class Where>
T decode_at(const json::value& v, const Where& where) {
  try {
    return ArgCodec<T>::decode(v);
  } catch (ArgMismatch& m) {
    if constexpr (std::is_integral_v<Where>) prepend_index(m, where);
    else prepend_key(m, where);
    throw;
  }
}

}  // namespace detail

template <>
struct ArgCodec<bool> {
  static json::value encode(bool b) { return b; }
  static bool decode(const json::value& v) {
    if (!v.is_bool()) detail::throw_mismatch("boolean", v);
    return v.get_bool();
  }
};

template <class T>
struct ArgCodec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static json::value encode(T n) {
    if constexpr (std::is_unsigned_v<T>) return static_cast<std::uint64_t>(n);
    else return static_cast<std::int64_t>(n);
  }
  static T decode(const json::value& v) {
    if (v.is_int64()) {
      const std::int64_t n = v.get_int64();
      if (std::in_range<T>(n)) return static_cast<T>(n);
    } else if (v.is_uint64()) {
      const std::uint64_t n = v.get_uint64();
      if (std::in_range<T>(n)) return static_cast<T>(n);
    } else {
      detail::throw_mismatch("integer", v);
    }
    detail::throw_out_of_range(std::is_signed_v<T>, sizeof(T) * 8, v);
  }
};

template <class T>
struct ArgCodec<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static json::value encode(T x) { return static_cast<double>(x); }
  static T decode(const json::value& v) {
    if (v.is_double()) return static_cast<T>(v.get_double());
    if (v.is_int64()) return static_cast<T>(v.get_int64());
    if (v.is_uint64()) return static_cast<T>(v.get_uint64());
    detail::throw_mismatch("number", v);
  }
};

template <>
struct ArgCodec<std::string> {
  static json::value encode(const std::string& s) { return json::string(s); }
  static std::string decode(const json::value& v) {
    if (!v.is_string()) detail::throw_mismatch("string", v);
    const auto& s = v.get_string();
    return {s.data(), s.size()};
  }
};

template <>
struct ArgCodec<json::value> {
  static json::value encode(const json::value& v) { return v; }
  static json::value decode(const json::value& v) { return v; }
};

template <>
struct ArgCodec<json::object> {
  static json::value encode(const json::object& o) { return o; }
  static json::object decode(const json::value& v) {
    if (!v.is_object()) detail::throw_mismatch("object", v);
    return v.get_object();
  }
};

template <>
struct ArgCodec<json::array> {
  static json::value encode(const json::array& a) { return a; }
  static json::array decode(const json::value& v) {
    if (!v.is_array()) detail::throw_mismatch("array", v);
    return v.get_array();
  }
};

template <class T>
struct ArgCodec<std::optional<T>> {
  static json::value encode(const std::optional<T>& o) { return o ? ArgCodec<T>::encode(*o) : json::value(nullptr); }
  static std::optional<T> decode(const json::value& v) {
    if (v.is_null()) return std::nullopt;
    return ArgCodec<T>::decode(v);
  }
};

template <class T, class A>
struct ArgCodec<std::vector<T, A>> {
  static json::value encode(const std::vector<T, A>& items) {
    json::array out;
    out.reserve(items.size());
    for (const auto& item : items) out.push_back(ArgCodec<T>::encode(item));
    return out;
  }
  static std::vector<T, A> decode(const json::value& v) {
    if (!v.is_array()) detail::throw_mismatch("array", v);
    const auto& in = v.get_array();
    std::vector<T, A> out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      out.push_back(detail::decode_at<T>(in[i], i));
    }
    return out;
  }
};

namespace detail {
template <class Map>
struct StringMapCodec {
  using mapped = typename Map::mapped_type;
  static json::value encode(const Map& m) {
    json::object out;
    for (const auto& [key, value] : m) out.emplace(key, ArgCodec<mapped>::encode(value));
    return out;
  }
  static Map decode(const json::value& v) {
    if (!v.is_object()) throw_mismatch("object", v);
    Map out;
    for (const auto& kv : v.get_object()) {
      std::string key(kv.key());
      out.emplace(key, decode_at<mapped>(kv.value(), std::string_view(key)));
    }
    return out;
  }
};
}  // namespace detail

template <class V, class C, class A>
struct ArgCodec<std::map<std::string, V, C, A>> : detail::StringMapCodec<std::map<std::string, V, C, A>> {};

template <class V, class H, class E, class A>
struct ArgCodec<std::unordered_map<std::string, V, H, E, A>>
    : detail::StringMapCodec<std::unordered_map<std::string, V, H, E, A>> {};

/// Structs described with BOOST_DESCRIBE_STRUCT map to JSON objects keyed by member name.
template <class T>
struct ArgCodec<T, std::enable_if_t<boost::describe::has_describe_members<T>::value && !std::is_union_v<T>>> {
  using members = boost::describe::describe_members<T, boost::describe::mod_any_access>;

  static json::value encode(const T& x) {
    json::object out;
    boost::mp11::mp_for_each<members>([&](auto d) {
      using M = std::remove_cvref_t<decltype(x.*d.pointer)>;
      out.emplace(d.name, ArgCodec<M>::encode(x.*d.pointer));
    });
    return out;
  }

  static T decode(const json::value& v) {
    if (!v.is_object()) detail::throw_mismatch("object", v);
    const auto& obj = v.get_object();
    T out{};
    boost::mp11::mp_for_each<members>([&](auto d) {
      using M = std::remove_cvref_t<decltype(out.*d.pointer)>;
      const json::value* field = obj.if_contains(d.name);
      if (field == nullptr) {
        if constexpr (detail::is_optional<M>::value) return;  // stays nullopt
        else detail::throw_missing_key(d.name);
      } else {
        out.*d.pointer = detail::decode_at<M>(*field, std::string_view(d.name));
      }
    });
    return out;
  }
};

}  // namespace errand
