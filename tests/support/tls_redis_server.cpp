#include "tls_redis_server.hpp"

#include "test_env.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>

namespace errand::test {
namespace {

/// Runs one openssl command in `dir`; throws with its output when it fails.
void openssl(const std::string& dir, const std::string& arguments) {
  const auto [status, output] = run_shell("cd '" + dir + "' && openssl " + arguments + " 2>&1");
  if (status != 0) throw std::runtime_error("openssl " + arguments + " failed:\n" + output);
}

/// A port of 127.0.0.1 that nothing listens on right now (the kernel picks it).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("could not find a free port on 127.0.0.1");
  return ntohs(address.sin_port);
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

ListeningProcess::ListeningProcess(const std::function<std::vector<std::string>(std::uint16_t port)>& argv_for,
                                   std::string_view ready_text, const std::string& log_path) {
  const auto ready = [&] { return read_file(log_path).find(ready_text) != std::string::npos; };
  for (int attempt = 0; attempt < 5; ++attempt) {
    port = free_port();
    process = std::make_unique<Subprocess>(argv_for(port), std::vector<std::string>{}, log_path);
    // Up, or ended (most likely: another process took the port meanwhile).
    if (eventually([&] { return ready() || process->exited(); }, std::chrono::seconds(30)) && ready()) return;
    (void)process->stop(SIGKILL, std::chrono::seconds(10));
  }
  throw std::runtime_error("the server did not start; its last output:\n" + read_file(log_path));
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
