// The `errand` executable: the command line with no workers of its own. It enqueues,
// inspects and repairs jobs on any store; `run` needs a program with workers
// (examples/cli_app.cpp).
#include <errand/cli.hpp>

int main(int argc, char** argv) {
  const errand::WorkerRegistry no_workers;
  return errand::cli::main(argc, argv, no_workers);
}
