#include <errand/errand.hpp>

#include <iostream>

struct Hello : errand::Worker<Hello> {
  void perform(const std::string& name) { std::cout << "hello, " << name << "\n"; }
};

int main() {
  auto store = errand::connect("memory://");
  errand::Client{store}.enqueue<Hello>("installed errand");
  return store->queue_size("default") == 1 ? 0 : 1;
}
