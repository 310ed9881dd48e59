// The commands behind errand::cli::main, free of CLI11: each takes its parsed options
// and the streams, and returns an exit status or throws (errand::Error, UsageError).
#pragma once

#include <errand/cli.hpp>
#include <errand/error.hpp>
#include <errand/store.hpp>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace errand::cli {

/// The command line is wrong (exit_usage_error). The message starts with "errand: ".
class UsageError : public Error {
 public:
  using Error::Error;
};

/// Options every command takes: which store, and how to print.
struct CommonOptions {
  std::vector<std::string> urls;  ///< --url (repeatable for `run`)
  std::string config_path;        ///< --config; empty: $ERRAND_CONFIG, else defaults
  std::string store_kind;         ///< --store redis|postgres|sqlite; empty: any
  bool json = false;              ///< --json
};

struct Streams {
  std::ostream& out;
  std::ostream& err;
};

struct RunOptions {
  std::optional<int> concurrency;
  std::vector<std::string> queues;  ///< "name" or "name,weight"
  std::optional<double> timeout_seconds;
};

struct EnqueueOptions {
  std::string class_name;
  std::string args_json = "[]";
  std::string queue;  ///< empty: "default"
  std::optional<double> in_seconds;
  std::optional<double> at_epoch;
  std::string retry;  ///< empty: true; "true", "false" or a count
};

/// `retries`, `dead` or `scheduled` and what to do with it.
struct SetCommand {
  enum class Action { list, retry, remove };
  JobSet set = JobSet::retry;
  Action action = Action::list;
  std::size_t limit = 50;
  std::vector<std::string> jids;
  bool all = false;
};

int run_command(const CommonOptions& common, const RunOptions& options, const WorkerRegistry& registry,
                const Options& cli_options, Streams streams);
int enqueue_command(const CommonOptions& common, const EnqueueOptions& options, Streams streams);
int stats_command(const CommonOptions& common, Streams streams);
int queues_command(const CommonOptions& common, Streams streams);
int clear_command(const CommonOptions& common, const std::string& queue, Streams streams);
int set_command(const CommonOptions& common, const SetCommand& command, Streams streams);

}  // namespace errand::cli
