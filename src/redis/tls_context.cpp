#include "redis/tls_context.hpp"

#include <errand/error.hpp>

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <fstream>

namespace errand::redis {
namespace asio = boost::asio;
namespace {

/// Throws ConfigError when `path` cannot be opened, or when using it failed (`ec`).
void check_file(const std::string& path, std::string_view what, std::string_view parameter,
                const boost::system::error_code& ec) {
  const bool readable = std::ifstream(path).is_open();
  if (readable && !ec) return;
  throw ConfigError(fmt::format("errand: redis TLS: cannot use the {} \"{}\" ({} in the URL): {}; give a readable "
                                "PEM file",
                                what, path, parameter, readable ? ec.message() : "the file cannot be opened"));
}

}  // namespace

TlsContext::TlsContext(const RedisTlsOptions& options) : context_(asio::ssl::context::tls_client) {
  SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (options.verify_peer) {
    context_.set_verify_mode(asio::ssl::verify_peer);
    if (options.ca_file.empty()) {
      context_.set_default_verify_paths(ec);
    } else {
      context_.load_verify_file(options.ca_file, ec);
      check_file(options.ca_file, "CA file", "ssl_ca_certs", ec);
    }
  } else {
    context_.set_verify_mode(asio::ssl::verify_none);
  }
  if (!options.cert_file.empty()) {
    context_.use_certificate_chain_file(options.cert_file, ec);
    check_file(options.cert_file, "client certificate", "ssl_certfile", ec);
  }
  if (!options.key_file.empty()) {
    context_.use_private_key_file(options.key_file, asio::ssl::context::pem, ec);
    check_file(options.key_file, "client key", "ssl_keyfile", ec);
  }
}

}  // namespace errand::redis
