// redis:// and rediss:// URLs.
#include <errand/error.hpp>
#include <errand/redis.hpp>

#include "kit/url_secrets.hpp"
#include "redis/options_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace errand {
namespace {

constexpr std::string_view url_form = "redis[s]://[user:password@]host[:port][/db][?param=value&...]";

/// Builds errors that name the URL, its password masked.
class UrlErrors {
 public:
  explicit UrlErrors(std::string_view url) : url_(detail::masked_url(url)) {}

  template <class... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> what, Args&&... args) const {
    throw ConfigError(fmt::format("errand: {} in redis URL {}", fmt::format(what, std::forward<Args>(args)...), url_));
  }

 private:
  std::string url_;
};

std::string percent_decode(std::string_view text, std::string_view part, const UrlErrors& errors) {
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
      errors.fail("bad percent-escape in the {} (write a literal % as %25)", part);
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

template <class Int>
Int parse_number(std::string_view text, std::string_view what, const UrlErrors& errors) {
  Int value{};
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    errors.fail("bad {} \"{}\" (expected {})", what, text, url_form);
  }
  return value;
}

std::size_t parse_pool_size(std::string_view text, std::string_view name, const UrlErrors& errors) {
  const auto n = parse_number<std::size_t>(text, name, errors);
  if (n == 0 || n > redis::max_pool_size) {
    errors.fail("{}={} is out of range; give 1 to {} connections", name, text, redis::max_pool_size);
  }
  return n;
}

SidekiqVersion parse_sidekiq_version(std::string_view text, const UrlErrors& errors) {
  const std::string_view major = text.substr(0, text.find('.'));  // "7" or "7.3"
  if (major == "6") return SidekiqVersion::v6;
  if (major == "7") return SidekiqVersion::v7;
  if (major == "8") return SidekiqVersion::v8;
  errors.fail("sidekiq_version={} is not understood; give 6, 7 or 8 (the Sidekiq whose Web UI reads this Redis)",
              text);
}

bool parse_cert_reqs(std::string_view text, const UrlErrors& errors) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "required" || lower == "cert_required") return true;
  if (lower == "none" || lower == "cert_none") return false;
  errors.fail("ssl_cert_reqs=\"{}\" is not understood; use required (the default: verify the server) or none "
              "(no verification, for testing only)",
              text);
}

/// One `name=value` of the query.
void apply_parameter(std::string_view name, const std::string& value, bool tls, RedisOptions& options,
                     const UrlErrors& errors) {
  if (name.starts_with("ssl_") && !tls) {
    errors.fail("{} is a TLS setting, but the URL is not TLS; start it with rediss://", name);
  }
  if (name == "namespace") options.key_namespace = value;
  else if (name == "pool_size") options.pool_size = parse_pool_size(value, name, errors);
  else if (name == "fetch_pool_size") options.fetch_pool_size = parse_pool_size(value, name, errors);
  else if (name == "sidekiq_version") options.sidekiq_version = parse_sidekiq_version(value, errors);
  else if (name == "ssl_ca_certs") options.tls.ca_file = value;
  else if (name == "ssl_certfile") options.tls.cert_file = value;
  else if (name == "ssl_keyfile") options.tls.key_file = value;
  else if (name == "ssl_cert_reqs") options.tls.verify_peer = parse_cert_reqs(value, errors);
  else {
    errors.fail("unknown parameter \"{}\"; errand reads namespace, pool_size, fetch_pool_size, sidekiq_version, and "
                "with rediss:// "
                "ssl_ca_certs, ssl_certfile, ssl_keyfile and ssl_cert_reqs (docs/configuration.md)",
                name);
  }
}

/// `#insecure` and `ssl_cert_reqs`/`ssl_ca_certs` that contradict each other: a URL
/// that asks for certificate checks and for none at once is a mistake either way.
void check_verification(bool insecure_fragment, bool cert_reqs_given, const RedisOptions& options,
                        const UrlErrors& errors) {
  if (insecure_fragment && cert_reqs_given && options.tls.verify_peer) {
    errors.fail("#insecure turns the server's certificate checks off, and ssl_cert_reqs=required turns them on; keep "
                "one");
  }
  if (!options.tls.verify_peer && !options.tls.ca_file.empty()) {
    errors.fail("ssl_ca_certs names a CA to check the server's certificate against, and {} turns that check off; keep "
                "one (without {} the certificate is checked against that CA)",
                insecure_fragment ? "#insecure" : "ssl_cert_reqs=none", insecure_fragment ? "#insecure" : "it");
  }
}

/// Reads the query's parameters into `options`; returns whether ssl_cert_reqs was one.
bool apply_query(std::string_view query, bool tls, RedisOptions& options, const UrlErrors& errors) {
  std::set<std::string, std::less<>> seen;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view field = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (field.empty()) continue;
    const auto eq = field.find('=');
    if (eq == std::string_view::npos) errors.fail("parameter \"{}\" has no value (write name=value)", field);
    const std::string name = percent_decode(field.substr(0, eq), "query", errors);
    if (!seen.insert(name).second) errors.fail("parameter \"{}\" is given twice; keep one", name);
    apply_parameter(name, percent_decode(field.substr(eq + 1), "query", errors), tls, options, errors);
  }
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    errors.fail("ssl_certfile and ssl_keyfile go together (a client certificate and its key); give both or neither");
  }
  return seen.contains("ssl_cert_reqs");
}

void apply_userinfo(std::string_view userinfo, RedisOptions& options, const UrlErrors& errors) {
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) {
    options.password = percent_decode(userinfo, "password", errors);  // redis://secret@host, as redis-rb reads it
  } else {
    options.username = percent_decode(userinfo.substr(0, colon), "user name", errors);
    options.password = percent_decode(userinfo.substr(colon + 1), "password", errors);
  }
}

void apply_host_and_port(std::string_view hostport, RedisOptions& options, const UrlErrors& errors) {
  std::string_view host = hostport;
  if (!hostport.empty() && hostport.front() == '[') {  // [::1]:6379
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) errors.fail("unclosed '[' around an IPv6 address (write [::1]:6379)");
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') errors.fail("bad host \"{}\" (write [::1]:6379)", hostport);
      options.port = parse_number<std::uint16_t>(after.substr(1), "port", errors);
    }
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    options.port = parse_number<std::uint16_t>(hostport.substr(colon + 1), "port", errors);
  }
  if (!host.empty()) options.host = std::string(host);
  if (options.port == 0) errors.fail("port 0 cannot be connected to; give the server's port");
}

}  // namespace

RedisOptions RedisOptions::from_url(std::string_view url) {
  const UrlErrors errors(url);
  RedisOptions options;
  std::string_view rest;
  if (url.starts_with("redis://")) {
    rest = url.substr(8);
  } else if (url.starts_with("rediss://")) {
    rest = url.substr(9);
    options.tls.enabled = true;
  } else {
    throw ConfigError(fmt::format("errand: a redis URL starts with redis:// (or rediss:// for TLS), got \"{}\"",
                                  detail::masked_url(url)));
  }
  // The userinfo first, up to the last '@' (as masked_url reads it): a password with a
  // raw '?' or '#' must not be split as a query or fragment and echoed in an error. An
  // '@' in a query value is therefore written %40.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    apply_userinfo(rest.substr(0, at), options, errors);
    rest.remove_prefix(at + 1);
  }
  bool insecure_fragment = false;
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    const std::string_view fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
    if (fragment != "insecure" || !options.tls.enabled) {
      errors.fail("unknown fragment \"#{}\"; the only one errand reads is #insecure, with rediss:// (as "
                  "ssl_cert_reqs=none)",
                  fragment);
    }
    options.tls.verify_peer = false;
    insecure_fragment = true;
  }
  std::string_view query;
  if (const auto question = rest.find('?'); question != std::string_view::npos) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  std::string_view hostport = rest;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) options.db = parse_number<int>(db, "database number", errors);
    if (options.db < 0) errors.fail("negative database number {}", options.db);
  }
  apply_host_and_port(hostport, options, errors);
  const bool cert_reqs_given = apply_query(query, options.tls.enabled, options, errors);
  check_verification(insecure_fragment, cert_reqs_given, options, errors);
  return options;
}

}  // namespace errand
