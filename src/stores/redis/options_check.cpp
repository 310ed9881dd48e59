#include "redis/options_check.hpp"

#include <errand/error.hpp>

#include <fmt/format.h>

#include <string_view>

namespace errand::redis {
namespace {

void check_tls(const RedisTlsOptions& tls) {
  if (!tls.enabled) {
    const std::string_view set = !tls.ca_file.empty()     ? "tls.ca_file"
                                 : !tls.cert_file.empty() ? "tls.cert_file"
                                 : !tls.key_file.empty()  ? "tls.key_file"
                                 : !tls.verify_peer       ? "tls.verify_peer = false"
                                                          : "";
    if (!set.empty()) {
      throw ConfigError(fmt::format("errand: RedisOptions::{} is a TLS setting, but TLS is off; connect with a "
                                    "rediss:// URL (or set tls.enabled)",
                                    set));
    }
    return;
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    throw ConfigError("errand: RedisOptions::tls.cert_file and tls.key_file go together (a client certificate and "
                      "its key); give both or neither");
  }
  if (!tls.verify_peer && !tls.ca_file.empty()) {
    throw ConfigError(fmt::format(
        "errand: RedisOptions::tls.ca_file (\"{}\") names a CA to check the server's certificate against, but "
        "tls.verify_peer is false, which skips that check; keep one: verify_peer = true to check against that CA, "
        "or no ca_file to skip checks (for testing only)",
        tls.ca_file));
  }
}

}  // namespace

void check_options(const RedisOptions& options) {
  check_tls(options.tls);
}

}  // namespace errand::redis
