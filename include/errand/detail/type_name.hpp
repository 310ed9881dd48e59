#pragma once

#include <string>
#include <string_view>

namespace errand::detail {

/// The qualified name of T as the compiler spells it, e.g. `billing::Welcome`.
template <class T>
constexpr std::string_view raw_type_name() noexcept {
  constexpr std::string_view pretty = __PRETTY_FUNCTION__;  // "...[with T = ns::Foo; ...]" or "[T = ns::Foo]"
  constexpr std::size_t begin = pretty.find("T = ") + 4;
  constexpr std::size_t end = pretty.find_first_of(";]", begin);
  return pretty.substr(begin, end - begin);
}

/// T's name without anonymous-namespace markers: the default class name of a worker.
std::string clean_type_name(std::string_view raw);

template <class T>
const std::string& type_name() {
  static const std::string name = clean_type_name(raw_type_name<T>());
  return name;
}

}  // namespace errand::detail
