#include "listening_process.hpp"

#include "test_env.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <random>
#include <stdexcept>

namespace errand::test {
namespace {

constexpr std::uint16_t lowest_port = 20000;
constexpr std::uint16_t highest_port = 31999;

/// Whether a socket can be bound to 127.0.0.1:`port` now: no server listens there, and
/// no connection uses it.
bool can_bind(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

}  // namespace

std::uint16_t free_port() {
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<std::uint16_t> ports(lowest_port, highest_port);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::uint16_t port = ports(random);
    if (can_bind(port)) return port;
  }
  throw std::runtime_error("found no free port on 127.0.0.1 in 20000-31999 in 100 tries");
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

}  // namespace errand::test
