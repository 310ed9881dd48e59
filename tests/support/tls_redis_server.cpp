#include "tls_redis_server.hpp"

#include <stdexcept>

namespace errand::test {
namespace {

/// Runs one openssl command in `dir`; throws with its output when it fails.
void openssl(const std::string& dir, const std::string& arguments) {
  const auto [status, output] = run_shell("cd '" + dir + "' && openssl " + arguments + " 2>&1");
  if (status != 0) throw std::runtime_error("openssl " + arguments + " failed:\n" + output);
}

}  // namespace

TestCertificates::TestCertificates() {
  const std::string dir = dir_.path();
  const std::string new_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2";
  openssl(dir, "req -x509 " + new_key + " -keyout ca.key -out ca.pem -subj '/CN=errand test CA'");
  openssl(dir, "req -x509 " + new_key + " -keyout other-ca.key -out other-ca.pem -subj '/CN=errand other CA'");
  const auto signed_by_ca = [&](const std::string& name, const std::string& subject, const std::string& extensions) {
    openssl(dir, "req -new " + new_key + " -keyout " + name + ".key -out " + name + ".csr -subj '" + subject + "'");
    std::string sign = "x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out " +
                       name + ".pem";
    if (!extensions.empty()) {
      run_shell("printf '%s\\n' '" + extensions + "' > '" + dir + "/" + name + ".ext'");
      sign += " -extfile " + name + ".ext";
    }
    openssl(dir, sign);
  };
  signed_by_ca("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
  signed_by_ca("client", "/CN=errand test client", "");
  signed_by_ca("elsewhere", "/CN=db.elsewhere.test", "subjectAltName=DNS:db.elsewhere.test");
}

TlsRedisServer::TlsRedisServer(const TestCertificates& certificates, ClientCertificate client,
                               const std::string& server_certificate)
    : server_(
          [&](std::uint16_t port) {
            // Absolute certificate paths: redis-server changes to --dir before reading them.
            return std::vector<std::string>{"redis-server", "--port", "0", "--tls-port", std::to_string(port),
                                            "--bind", "127.0.0.1", "--tls-cert-file",
                                            certificates.file(server_certificate + ".pem"), "--tls-key-file",
                                            certificates.file(server_certificate + ".key"), "--tls-ca-cert-file",
                                            certificates.file("ca.pem"), "--tls-auth-clients",
                                            client == ClientCertificate::required ? "yes" : "no", "--save", "",
                                            "--appendonly", "no", "--dir", dir_.path()};
          },
          "Ready to accept connections", dir_.file("redis.log")) {}

std::string TlsRedisServer::url(std::string_view host, std::string_view query) const {
  std::string out = "rediss://" + std::string(host) + ":" + std::to_string(server_.port) + "/0";
  if (!query.empty()) out += "?" + std::string(query);
  return out;
}

}  // namespace errand::test
