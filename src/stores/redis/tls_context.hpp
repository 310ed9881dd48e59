// What every TLS connection of one Redis store shares: the CAs it trusts and the client
// certificate it shows, read once.
#pragma once

#include <errand/redis.hpp>

#include <boost/asio/ssl/context.hpp>

#include <string>

namespace errand::redis {

class TlsContext {
 public:
  /// Reads the files `options` names. Throws errand::ConfigError naming a file that
  /// cannot be read or used, and the URL parameter that gave it.
  explicit TlsContext(const RedisTlsOptions& options);

  [[nodiscard]] boost::asio::ssl::context& get() noexcept { return context_; }

  /// Readies `ssl`, about to shake hands with `host`: SNI for a host name, and the name
  /// or address the server's certificate must carry.
  void prepare(SSL* ssl, const std::string& host) const;

  /// Why the handshake on `ssl` with `host` failed (`ec`), and what to do about it.
  [[nodiscard]] std::string explain_failure(SSL* ssl, const std::string& host,
                                            const boost::system::error_code& ec) const;

 private:
  boost::asio::ssl::context context_;
  bool verify_peer_;
};

}  // namespace errand::redis
