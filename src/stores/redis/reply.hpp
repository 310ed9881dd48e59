// A Redis reply (RESP2), owned and easy to inspect.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace errand::redis {

class Reply {
 public:
  enum class Type { string, array, integer, nil, status, error };

  Reply() = default;
  Reply(Type type, std::string text) : type_(type), text_(std::move(text)) {}
  static Reply integer(std::int64_t n) {
    Reply r;
    r.type_ = Type::integer;
    r.integer_ = n;
    return r;
  }
  static Reply array(std::vector<Reply> elements) {
    Reply r;
    r.type_ = Type::array;
    r.elements_ = std::move(elements);
    return r;
  }

  [[nodiscard]] Type type() const noexcept { return type_; }
  [[nodiscard]] bool is_nil() const noexcept { return type_ == Type::nil; }
  [[nodiscard]] bool is_error() const noexcept { return type_ == Type::error; }
  [[nodiscard]] bool is_array() const noexcept { return type_ == Type::array; }

  /// The bulk string, status or error text.
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  [[nodiscard]] std::string& text() noexcept { return text_; }
  [[nodiscard]] std::int64_t as_integer() const noexcept { return integer_; }
  [[nodiscard]] const std::vector<Reply>& elements() const noexcept { return elements_; }
  [[nodiscard]] std::vector<Reply>& elements() noexcept { return elements_; }

 private:
  Type type_ = Type::nil;
  std::int64_t integer_ = 0;
  std::string text_;
  std::vector<Reply> elements_;
};

}  // namespace errand::redis
