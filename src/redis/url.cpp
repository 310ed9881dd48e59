// redis:// URLs.
#include <errand/error.hpp>
#include <errand/redis.hpp>

#include <fmt/format.h>

#include <charconv>

namespace errand {
namespace {

std::string percent_decode(std::string_view text, std::string_view url) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size() || std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr !=
                                        text.data() + i + 3) {
      throw ConfigError(fmt::format("errand: bad percent-escape in redis URL {}", url));
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

template <class Int>
Int parse_number(std::string_view text, std::string_view what, std::string_view url) {
  Int value{};
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    throw ConfigError(fmt::format("errand: bad {} \"{}\" in redis URL {} (expected "
                                  "redis://[user:password@]host[:port][/db])",
                                  what, text, url));
  }
  return value;
}

}  // namespace

RedisOptions RedisOptions::from_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme) {
    throw ConfigError(fmt::format("errand: a redis URL starts with redis://, got \"{}\"", url));
  }
  RedisOptions options;
  std::string_view rest = url.substr(scheme.size());
  if (const auto query = rest.find('?'); query != std::string_view::npos) {
    throw ConfigError(fmt::format("errand: redis URL {} has query parameters, which errand does not read; set "
                                  "RedisOptions fields instead",
                                  url));
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      options.password = percent_decode(userinfo, url);  // redis://secret@host, as redis-rb reads it
    } else {
      options.username = percent_decode(userinfo.substr(0, colon), url);
      options.password = percent_decode(userinfo.substr(colon + 1), url);
    }
  }
  std::string_view hostport = rest;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) options.db = parse_number<int>(db, "database number", url);
    if (options.db < 0) throw ConfigError(fmt::format("errand: negative database number in redis URL {}", url));
  }
  std::string_view host = hostport;
  if (!hostport.empty() && hostport.front() == '[') {  // [::1]:6379
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) throw ConfigError(fmt::format("errand: unclosed '[' in redis URL {}", url));
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw ConfigError(fmt::format("errand: bad host in redis URL {}", url));
      options.port = parse_number<std::uint16_t>(after.substr(1), "port", url);
    }
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    options.port = parse_number<std::uint16_t>(hostport.substr(colon + 1), "port", url);
  }
  if (!host.empty()) options.host = std::string(host);
  if (options.port == 0) throw ConfigError(fmt::format("errand: port 0 in redis URL {}", url));
  return options;
}

}  // namespace errand
