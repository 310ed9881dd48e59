#include "postgres/listener.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <system_error>

namespace errand::pq {

Listener::Listener(std::string conninfo) : conninfo_(std::move(conninfo)) {
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) throw std::system_error(errno, std::generic_category(), "errand: eventfd");
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

Listener::~Listener() {
  thread_.request_stop();
  poke();
  thread_.join();
  ::close(event_fd_);
}

void Listener::poke() const {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(event_fd_, &one, sizeof one);
}

void Listener::listen(const std::vector<std::string>& channels, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  bool missing = false;
  for (const auto& channel : channels) {
    if (!listening_.contains(channel)) missing = true;
    wanted_.insert(channel);
  }
  if (!missing) return;
  poke();
  changed_.wait_for(lock, timeout, [&] {
    for (const auto& channel : channels) {
      if (!listening_.contains(channel)) return false;
    }
    return true;
  });
}

std::uint64_t Listener::generation() {
  std::lock_guard lock(mutex_);
  return generation_;
}

bool Listener::wait(std::uint64_t seen, std::chrono::milliseconds timeout, const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, stop, timeout, [&] { return generation_ != seen; });
}

void Listener::wake() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  changed_.notify_all();
}

void Listener::catch_up(Connection& c) {
  std::vector<std::string> todo;
  {
    std::lock_guard lock(mutex_);
    for (const auto& channel : wanted_) {
      if (!listening_.contains(channel)) todo.push_back(channel);
    }
  }
  for (const auto& channel : todo) c.exec("LISTEN " + quote_identifier(channel));
  {
    std::lock_guard lock(mutex_);
    listening_.insert(todo.begin(), todo.end());
  }
  changed_.notify_all();
}

void Listener::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    try {
      Connection c(conninfo_);
      {
        std::lock_guard lock(mutex_);
        listening_.clear();
      }
      catch_up(c);
      wake();  // notifications may have been missed while disconnected
      while (!stop.stop_requested()) {
        std::array<pollfd, 2> fds{{{c.socket(), POLLIN, 0}, {event_fd_, POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) break;
        if ((fds[1].revents & POLLIN) != 0) {
          std::uint64_t count = 0;
          [[maybe_unused]] const auto got = ::read(event_fd_, &count, sizeof count);
          catch_up(c);
        }
        if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
          if (!c.take_notifications().empty()) wake();
          if (!c.healthy()) break;
        }
      }
    } catch (const std::exception&) {
      // Unreachable server: fetches keep polling; try again shortly.
    }
    {
      std::lock_guard lock(mutex_);
      listening_.clear();
    }
    std::mutex m;
    std::unique_lock lock(m);
    std::condition_variable_any().wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
  }
}

}  // namespace errand::pq
