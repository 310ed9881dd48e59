// [service.sidekiq.redis]'s settings besides the URL, carried to the store in the URL's
// query: BackendConfig::url stays the one thing errand::connect needs.
#include "config/settings.hpp"

#include <errand/redis.hpp>

#include <set>

namespace errand::config {
namespace {

/// The parameter names already in `url`'s query.
std::set<std::string, std::less<>> query_names(std::string_view url) {
  std::set<std::string, std::less<>> names;
  url = url.substr(0, url.find('#'));
  const auto question = url.find('?');
  if (question == std::string_view::npos) return names;
  std::string_view query = url.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view field = query.substr(0, amp);
    names.emplace(field.substr(0, field.find('=')));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return names;
}

/// `text` with everything but letters, digits and `-._~/` percent-encoded.
std::string query_encoded(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("-._~/").find(c) != std::string_view::npos;
    if (plain) out.push_back(c);
    else out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

class QueryBuilder {
 public:
  explicit QueryBuilder(const Setting<std::string>& url) : url_(url), taken_(query_names(*url.value)) {}

  /// Whether the URL itself sets `parameter`.
  [[nodiscard]] bool in_url(std::string_view parameter) const { return taken_.contains(parameter); }

  template <class T, class Text>
  void add(const Setting<T>& setting, std::string_view parameter, Text to_text) {
    if (!setting.has_value()) return;
    if (taken_.contains(parameter)) {
      fail(setting.origin, "is set, and so is {} in the Redis URL ({}); keep one", parameter, url_.origin);
    }
    added_ += fmt::format("{}{}={}", added_.empty() ? "" : "&", parameter, query_encoded(to_text(*setting.value)));
  }

  [[nodiscard]] std::string url() const {
    const std::string& url = *url_.value;
    if (added_.empty()) return url;
    const auto hash = std::min(url.find('#'), url.size());
    const std::string_view before = std::string_view(url).substr(0, hash);
    const char separator = before.find('?') == std::string_view::npos ? '?' : (before.ends_with('?') ? '\0' : '&');
    std::string out(before);
    if (separator != '\0') out.push_back(separator);
    return out + added_ + url.substr(hash);
  }

 private:
  const Setting<std::string>& url_;
  std::set<std::string, std::less<>> taken_;
  std::string added_;
};

/// Certificate checks asked for and turned off at once (tls.verify-peer, tls.ca-file,
/// and the URL's ssl_cert_reqs, ssl_ca_certs, #insecure): refused, naming both sides.
void check_verification(const Setting<std::string>& url, const RedisSettings& redis) {
  const RedisOptions in_url = RedisOptions::from_url(*url.value);  // already checked on its own
  const bool url_turns_off = !in_url.tls.verify_peer;
  const bool url_names_ca = !in_url.tls.ca_file.empty();
  const bool key_turns_off = redis.verify_peer.has_value() && !*redis.verify_peer.value;
  if (key_turns_off && redis.ca_file.has_value()) {
    fail(redis.verify_peer.origin, "is false, which skips checking the server's certificate, and {} names a CA to "
                                   "check it against; keep one (without verify-peer = false, the certificate is "
                                   "checked against that CA)",
         redis.ca_file.origin);
  }
  if (key_turns_off && url_names_ca) {
    fail(redis.verify_peer.origin, "is false, which skips checking the server's certificate, and the Redis URL ({}) "
                                   "names a CA to check it against (ssl_ca_certs); keep one",
         url.origin);
  }
  if (redis.ca_file.has_value() && url_turns_off) {
    fail(redis.ca_file.origin, "is set, naming a CA to check the server's certificate against, and the Redis URL ({}) "
                               "turns that check off (ssl_cert_reqs=none or #insecure); keep one",
         url.origin);
  }
  const bool insecure_fragment = url.value->ends_with("#insecure");
  if (redis.verify_peer.has_value() && *redis.verify_peer.value && insecure_fragment) {
    fail(redis.verify_peer.origin, "is true, and the Redis URL ({}) ends in #insecure, which turns the server's "
                                   "certificate checks off; keep one",
         url.origin);
  }
}

}  // namespace

std::string redis_url_with(const Setting<std::string>& url, const RedisSettings& redis,
                           const Setting<SidekiqVersion>& version) {
  const auto require_tls = [&](const auto& setting) {
    if (setting.has_value() && !url.value->starts_with("rediss://")) {
      fail(setting.origin, "is a TLS setting, but the Redis URL ({}) is not TLS; start it with rediss://", url.origin);
    }
  };
  require_tls(redis.ca_file);
  require_tls(redis.cert_file);
  require_tls(redis.key_file);
  require_tls(redis.verify_peer);
  check_verification(url, redis);
  QueryBuilder query(url);
  const auto require_pair = [&](const Setting<std::string>& one, std::string_view other_key, std::string_view other) {
    if (one.has_value() && !query.in_url(other)) {
      fail(one.origin, "is set without {}; a client certificate and its key go together, give both", other_key);
    }
  };
  if (!redis.key_file.has_value()) require_pair(redis.cert_file, "tls.key-file", "ssl_keyfile");
  if (!redis.cert_file.has_value()) require_pair(redis.key_file, "tls.cert-file", "ssl_certfile");
  const auto text = [](const auto& value) { return fmt::format("{}", value); };
  query.add(redis.key_namespace, "namespace", text);
  query.add(redis.pool_size, "pool_size", text);
  query.add(redis.fetch_pool_size, "fetch_pool_size", text);
  query.add(version, "sidekiq_version", [](SidekiqVersion v) { return std::to_string(static_cast<int>(v)); });
  query.add(redis.ca_file, "ssl_ca_certs", text);
  query.add(redis.cert_file, "ssl_certfile", text);
  query.add(redis.key_file, "ssl_keyfile", text);
  query.add(redis.verify_peer, "ssl_cert_reqs", [](bool verify) { return std::string(verify ? "required" : "none"); });
  return query.url();
}

}  // namespace errand::config
