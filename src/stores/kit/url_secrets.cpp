#include "kit/url_secrets.hpp"

#include <charconv>
#include <vector>

namespace errand::detail {
namespace {

constexpr std::string_view mask = "***";

using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

/// The values of `password` in a libpq key=value connection string
/// (`host=db password=s3cret`, `password = 'it''s'`, `password='a\'b'`).
Spans conninfo_password_spans(std::string_view text) {
  Spans spans;
  constexpr std::string_view key = "password";
  for (auto at = text.find(key); at != std::string_view::npos; at = text.find(key, at + key.size())) {
    const bool starts_word = at == 0 || text[at - 1] == ' ' || text[at - 1] == '\t';
    std::size_t i = at + key.size();
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (!starts_word || i >= text.size() || text[i] != '=') continue;
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t end = i;
    if (i < text.size() && text[i] == '\'') {
      for (end = i + 1; end < text.size() && text[end] != '\''; ++end) {
        if (text[end] == '\\') ++end;  // an escaped character, a quote included
      }
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && text[end] != ' ' && text[end] != '\t') ++end;
    }
    if (end > i) spans.emplace_back(i, end);
  }
  return spans;
}

/// Where the password sits in `url`: [begin, end) pairs, in order.
Spans secret_spans(std::string_view url) {
  Spans spans;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return conninfo_password_spans(url);
  const std::size_t start = scheme_end + 3;
  // The last '@' ends the userinfo: a password may hold an unescaped '@', '/' or '?'.
  // When a query's '@' is taken for it instead, more is masked than needed, never less.
  if (const auto at = url.rfind('@'); at != std::string_view::npos && at >= start) {
    const std::string_view userinfo = url.substr(start, at - start);
    const std::string_view scheme = url.substr(0, scheme_end);
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      if (colon + 1 < userinfo.size()) spans.emplace_back(start + colon + 1, at);
    } else if ((scheme == "redis" || scheme == "rediss") && !userinfo.empty()) {
      spans.emplace_back(start, at);
    }
  }
  const std::size_t after_userinfo = spans.empty() ? start : spans.back().second;
  if (const auto query = url.find('?', after_userinfo); query != std::string_view::npos) {
    std::size_t field = query + 1;
    while (field < url.size()) {
      const auto end = std::min(url.find('&', field), url.size());
      constexpr std::string_view key = "password=";
      if (url.substr(field, key.size()) == key && field + key.size() < end) spans.emplace_back(field + key.size(), end);
      field = end + 1;
    }
  }
  return spans;
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr == text.data() + i + 3) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

std::string masked_url(std::string_view url) {
  std::string out;
  std::size_t copied = 0;
  for (const auto& [begin, end] : secret_spans(url)) {
    out.append(url.substr(copied, begin - copied));
    out.append(mask);
    copied = end;
  }
  out.append(url.substr(copied));
  return out;
}

std::string without_secrets(std::string_view message, std::string_view url) {
  std::string out(message);
  if (url.empty()) return out;
  replace_all(out, url, masked_url(url));
  for (const auto& [begin, end] : secret_spans(url)) {
    const std::string_view secret = url.substr(begin, end - begin);
    replace_all(out, secret, mask);
    replace_all(out, percent_decoded(secret), mask);
  }
  return out;
}

}  // namespace errand::detail
