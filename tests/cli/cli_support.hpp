// Running the `errand` executable and the test app (cli_app) from the CLI tests.
#pragma once

#include <errand/json.hpp>

#include "temp_dir.hpp"

#include <string>
#include <vector>

namespace errand::test {

struct CliResult {
  int status = -1;  ///< exit status (-1: killed by a signal)
  std::string out;
  std::string err;
};

/// Runs `program` with `args` (each passed as one argument) and waits. `env` holds
/// "NAME=value" entries added to the environment.
CliResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {});
/// run_program for the `errand` executable.
CliResult run_errand(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

/// A TOML configuration naming two stores: SQLite at `sqlite_path` and Redis at `redis`.
std::string two_store_config(const std::string& sqlite_path, const std::string& redis);

/// `result.out` parsed as JSON; fails the test (and returns null) when it is not.
json::value parsed(const CliResult& result);

/// Writes `text` to `path`.
void write_file(const std::string& path, const std::string& text);

/// The lines of `text`, without the empty last one.
std::vector<std::string> lines_of(const std::string& text);

}  // namespace errand::test
