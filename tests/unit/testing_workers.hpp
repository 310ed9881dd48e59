// Workers for the testing-mode tests. What they see goes to a Recorder each is given by
// its factory (register_worker<W>(factory)): no static state, so tests stay independent.
#pragma once

#include <errand/client.hpp>
#include <errand/testing.hpp>

#include "recorder.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace errand::testing_test {

struct Welcome : Worker<Welcome> {
  static constexpr std::string_view class_name = "WelcomeWorker";
  static JobOptions options() { return {.queue = "mail"}; }
  test::Recorder* seen = nullptr;
  void perform(std::int64_t user_id, const std::string& email) {
    seen->add("welcome " + std::to_string(user_id) + " " + email);
  }
};

/// Fails for user 13.
struct Picky : Worker<Picky> {
  test::Recorder* seen = nullptr;
  void perform(int user_id) {
    if (user_id == 13) throw std::runtime_error("unlucky user 13");
    seen->add("picky " + std::to_string(user_id));
  }
};

/// Enqueues Countdown(n - 1) until 0, and a Welcome at 0.
struct Countdown : Worker<Countdown> {
  test::Recorder* seen = nullptr;
  const Client* client = nullptr;
  void perform(int n) {
    seen->add("countdown " + std::to_string(n));
    if (n > 0) (void)client->enqueue<Countdown>(n - 1);
    else (void)client->enqueue<Welcome>(0, "done");
  }
};

/// Written in Roadster's envelope.
struct Roadster : Worker<Roadster> {
  static constexpr std::string_view class_name = "RoadsterWorker";
  static JobOptions options() { return {.format = JobFormat::roadster}; }
  test::Recorder* seen = nullptr;
  void perform(const std::string& name) { seen->add("roadster " + name); }
};

/// Registers the workers above on a Fake or an Inline (or a Processor: the same calls).
template <class Mode>
void register_all(Mode& mode, test::Recorder& seen, const Client& client) {
  mode.template register_worker<Welcome>([&seen] { return Welcome{{}, &seen}; });
  mode.template register_worker<Picky>([&seen] { return Picky{{}, &seen}; });
  mode.template register_worker<Countdown>([&seen, &client] { return Countdown{{}, &seen, &client}; });
  mode.template register_worker<Roadster>([&seen] { return Roadster{{}, &seen}; });
}

}  // namespace errand::testing_test
