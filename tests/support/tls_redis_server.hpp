// A real redis-server speaking only TLS, with throwaway certificates, for the rediss://
// tests: nothing mocked.
#pragma once

#include "listening_process.hpp"
#include "temp_dir.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace errand::test {

/// Certificates made with the openssl CLI in a temporary directory: a CA; a server
/// certificate it signed for "localhost" and 127.0.0.1; a client certificate it signed;
/// and an unrelated CA that signed nothing here. Files: ca.pem, server.pem, server.key,
/// client.pem, client.key, other-ca.pem; and elsewhere.pem, elsewhere.key: a server
/// certificate the CA signed for another host only (db.elsewhere.test).
class TestCertificates {
 public:
  TestCertificates();
  /// The absolute path of one of the files above.
  [[nodiscard]] std::string file(const std::string& name) const { return dir_.file(name); }

 private:
  TempDir dir_;
};

/// redis-server on a port of 127.0.0.1 that was free when it started, TLS only (no
/// plain port), with `certificates`' server certificate; stopped by PID when destroyed.
class TlsRedisServer {
 public:
  enum class ClientCertificate { not_asked, required };

  /// `server_certificate`: "server" (localhost, 127.0.0.1) or "elsewhere".
  explicit TlsRedisServer(const TestCertificates& certificates,
                          ClientCertificate client = ClientCertificate::not_asked,
                          const std::string& server_certificate = "server");

  [[nodiscard]] std::uint16_t port() const noexcept { return server_.port; }
  /// `rediss://host:port/0`, with `?query` when not empty.
  [[nodiscard]] std::string url(std::string_view host, std::string_view query = {}) const;

 private:
  TempDir dir_;
  ListeningProcess server_;
};

}  // namespace errand::test
