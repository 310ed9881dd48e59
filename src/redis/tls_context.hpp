// What every TLS connection of one Redis store shares: the CAs it trusts and the client
// certificate it shows, read once.
#pragma once

#include <errand/redis.hpp>

#include <boost/asio/ssl/context.hpp>

namespace errand::redis {

class TlsContext {
 public:
  /// Reads the files `options` names. Throws errand::ConfigError naming a file that
  /// cannot be read or used, and the URL parameter that gave it.
  explicit TlsContext(const RedisTlsOptions& options);

  [[nodiscard]] boost::asio::ssl::context& get() noexcept { return context_; }

 private:
  boost::asio::ssl::context context_;
};

}  // namespace errand::redis
