#include <errand/errand.hpp>
#include <errand/schedule.hpp>
#include <errand/testing.hpp>

#include <iostream>

struct Hello : errand::Worker<Hello> {
  void perform(const std::string& name) { std::cout << "hello, " << name << "\n"; }
};

int main() {
  auto store = errand::connect("memory://");
  errand::Client{store}.enqueue<Hello>("installed errand");
  // The TOML configuration links too (toml++ comes through find_dependency).
  const auto config = errand::Config::from_toml_string("[service.worker]\nnum-workers = 2\n", "inline.toml",
                                                       errand::Environment::from_map({}));
  if (config.backends.at(0).processor.concurrency != 2) return 1;
  // The testing modes link too (errand::testing).
  errand::testing::Fake fake;
  errand::Client{fake.store()}.enqueue<Hello>("a fake");
  if (fake.size<Hello>() != 1) return 1;
  // Schedules link too (the date library comes through find_dependency).
  const auto berlin = errand::Schedule::parse("30 2 * * *", "Europe/Berlin");
  if (berlin.next_after(errand::TimePoint{}) != errand::TimePoint{std::chrono::hours(1) + std::chrono::minutes(30)}) return 1;
  return store->admin()->queue_size({.queue = "default"}) == 1 ? 0 : 1;
}
