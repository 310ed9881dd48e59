// Servers the tests start for themselves, each on a free port of 127.0.0.1.
#pragma once

#include "subprocess.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace errand::test {

/// A port of 127.0.0.1 that nothing is bound to right now, at random in 20000-31999:
/// below Linux's ephemeral range (32768-60999), so that the kernel does not give it to
/// a client connection before a server takes it (or while one restarts on it); at
/// random, so that test runs going on at the same time seldom try the same one. The
/// CTest fixtures' servers get theirs the same way (scripts/lib/test-server.sh).
std::uint16_t free_port();

/// A server process listening on a port of 127.0.0.1 that was free when it started:
/// `argv_for(port)` is its command line; it is up once its output (in `log_path`)
/// holds `ready_text`. Tries other ports while one turns out taken. Stopped by PID
/// when destroyed (Subprocess).
struct ListeningProcess {
  ListeningProcess(const std::function<std::vector<std::string>(std::uint16_t port)>& argv_for,
                   std::string_view ready_text, const std::string& log_path);
  std::unique_ptr<Subprocess> process;
  std::uint16_t port = 0;
};

}  // namespace errand::test
