#include "cli_support.hpp"

#include "subprocess.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace errand::test {
namespace {

std::string quoted(const std::string& arg) {
  std::string out = "'";
  for (const char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

CliResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::vector<std::string>& env) {
  const TempDir dir;
  std::string command;
  for (const auto& e : env) command += e.substr(0, e.find('=') + 1) + quoted(e.substr(e.find('=') + 1)) + " ";
  command += quoted(program);
  for (const auto& a : args) command += " " + quoted(a);
  command += " 2>" + quoted(dir.file("stderr"));
  auto [status, out] = run_shell(command);
  return {status, std::move(out), read_file(dir.file("stderr"))};
}

CliResult run_errand(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return run_program(ERRAND_CLI, args, env);
}

std::string two_store_config(const std::string& sqlite_path, const std::string& redis) {
  return "[service.worker]\nshutdown-timeout = 5\n\n"
         "[service.sidekiq.redis]\nuri = \"" + redis + "\"\n\n"
         "[service.worker.sqlite]\npath = \"" + sqlite_path + "\"\n";
}

json::value parsed(const CliResult& result) {
  try {
    return parse_json(result.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << result.out << " (" << e.what() << "); stderr: " << result.err;
    return nullptr;
  }
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace errand::test
