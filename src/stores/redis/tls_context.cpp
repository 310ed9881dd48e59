#include "redis/tls_context.hpp"

#include <errand/error.hpp>

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

TlsContext::TlsContext(const RedisTlsOptions& options)
    : context_(asio::ssl::context::tls_client), verify_peer_(options.verify_peer) {
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

void TlsContext::prepare(SSL* ssl, const std::string& host) const {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  const bool is_address = !ec;
  // SNI names a host, never an address (RFC 6066); verification checks either. (What
  // the SSL_set_tlsext_host_name macro expands to, without its old-style cast.)
  if (!is_address) SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
  if (!verify_peer_) return;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  // Fail closed: without a name or address to check, any certificate the CAs signed
  // would pass.
  const int set = is_address ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                             : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (set != 1) {
    throw ConnectionError(fmt::format("errand: cannot check a TLS certificate against the host \"{}\" (not a name "
                                      "or address OpenSSL can match); connect with a plain host name or address",
                                      host));
  }
}

std::string TlsContext::explain_failure(SSL* ssl, const std::string& host, const boost::system::error_code& ec) const {
  const long verify = verify_peer_ ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    return fmt::format("the server's certificate is not for \"{}\"; connect with a host name the certificate names "
                       "(or ssl_cert_reqs=none in the URL to skip verification, for testing only)",
                       host);
  }
  if (verify != X509_V_OK) {
    return fmt::format("the server's certificate is not trusted ({}); set ssl_ca_certs=/path/to/ca.pem in the URL to "
                       "the CA that signed it (or ssl_cert_reqs=none to skip verification, for testing only)",
                       X509_verify_cert_error_string(verify));
  }
  return fmt::format("{} (is that port TLS, and does the server want a client certificate: ssl_certfile and "
                     "ssl_keyfile?)",
                     ec.message());
}

}  // namespace errand::redis
