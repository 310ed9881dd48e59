// An application binary as the CLI docs describe it: its workers, then errand::cli::main.
// The worker appends its job's args (and the store's name) to $CLI_APP_OUTPUT, one line
// per job, so that the tests can see which jobs ran.
#include <errand/cli.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

int main(int argc, char** argv) {
  const char* output = std::getenv("CLI_APP_OUTPUT");
  auto lock = std::make_shared<std::mutex>();
  errand::WorkerRegistry workers;
  workers.add_handler("AppendWorker", {}, [output, lock](const errand::Job& job, errand::Context&) {
    const std::lock_guard guard(*lock);
    std::ofstream out(output != nullptr ? output : "cli_app_output.txt", std::ios::app);
    out << errand::to_json(job.args()) << '\n';
  });
  // Runs until its stop token fires (its timeout, or a shutdown), then notes it.
  workers.add_handler("StubbornWorker", {}, [output, lock](const errand::Job&, errand::Context& ctx) {
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const std::lock_guard guard(*lock);
    std::ofstream out(output != nullptr ? output : "cli_app_output.txt", std::ios::app);
    out << "stopped\n";
  });
  // Notes its start ("started <args>"), then runs until its stop token fires.
  workers.add_handler("BlockingWorker", {}, [output, lock](const errand::Job& job, errand::Context& ctx) {
    {
      const std::lock_guard guard(*lock);
      std::ofstream out(output != nullptr ? output : "cli_app_output.txt", std::ios::app);
      out << "started " << errand::to_json(job.args()) << '\n';
    }
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  return errand::cli::main(argc, argv, workers);
}
