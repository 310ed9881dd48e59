// errand::cli::main: the command line (CLI11), and errors turned into exit statuses.
// CLI11 stays in this file: it is header-only and slow to compile.
#include "cli/commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace errand::cli {
namespace {

constexpr const char* footer =
    "--url, --config, --store and --json go before or after the command.\nExit status: 0 done, 1 could not be done (store unreachable, job not found), 2 wrong command line or "
    "configuration.\nEvery command and option: docs/cli.md";

/// --url, --config, --store, --json: on the program, accepted before or after a command.
void add_common(CLI::App& app, CommonOptions& common) {
  app.add_option("--url", common.urls,
                 "The store: redis://host:port/db, postgres://user@host/db, sqlite://path.db (repeat for `run` to "
                 "work several). Default: the configuration's stores")
      ->allow_extra_args(false);
  app.add_option("--config", common.config_path, "TOML configuration file (default: $ERRAND_CONFIG)");
  app.add_option("--store", common.store_kind, "Which configured store, when several are: redis, postgres or sqlite")
      ->check(CLI::IsMember({"redis", "postgres", "sqlite", "memory"}));
  app.add_flag("--json", common.json, "Print one JSON document instead of a table");
}

CLI::App* add_set_commands(CLI::App& app, const char* name, JobSet set, const char* what, SetCommand& command,
                           const CLI::App*& chosen) {
  auto* parent = app.add_subcommand(name, what)->require_subcommand(1)->fallthrough();
  const auto pick = [&command, &chosen, set](SetCommand::Action action, const CLI::App* sub) {
    return [&command, &chosen, set, action, sub] {
      command.set = set;
      command.action = action;
      chosen = sub;
    };
  };
  auto* list = parent->add_subcommand("list", "List the jobs, earliest first")->fallthrough();
  list->add_option("--limit", command.limit, "At most this many, 1 to 1000000 (default 50)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  list->callback(pick(SetCommand::Action::list, list));
  auto* retry = parent->add_subcommand("retry", "Move jobs to their queues now (a manual retry does not use up an attempt)")
                    ->fallthrough();
  retry->add_option("jids", command.jids, "Job ids");
  retry->add_flag("--all", command.all, "Every job in the set");
  retry->callback(pick(SetCommand::Action::retry, retry));
  auto* remove = parent->add_subcommand("delete", "Delete jobs")->fallthrough();
  remove->add_option("jids", command.jids, "Job ids");
  remove->add_flag("--all", command.all, "Every job in the set");
  remove->callback(pick(SetCommand::Action::remove, remove));
  return parent;
}

/// Whether `word` is one of the program's own options that takes its value as the next
/// word ("--url URL", not "--url=URL" nor the flag "--json"), as CLI11 declares it.
bool value_follows(const CLI::App& app, std::string_view word) {
  if (word.find('=') != std::string_view::npos) return false;
  const CLI::Option* option = app.get_option_no_throw(std::string(word));
  return option != nullptr && option->get_items_expected_min() > 0;
}

/// The first word of the command line that is neither an option nor an option's value,
/// when it names no command ("" otherwise). CLI11 alone would only say "A subcommand is
/// required" for a misspelt one.
std::string unknown_command(const CLI::App& app, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--") return {};
    if (word.starts_with("-")) {
      if (value_follows(app, word)) ++i;
      continue;
    }
    for (const CLI::App* command : app.get_subcommands({})) {
      if (command->get_name() == word) return {};
    }
    return std::string(word);
  }
  return {};
}

/// "run, enqueue, stats, ...": the program's commands.
std::string command_names(const CLI::App& app) {
  std::string names;
  for (const CLI::App* command : app.get_subcommands({})) {
    if (!names.empty()) names += ", ";
    names += command->get_name();
  }
  return names;
}

std::string base_name(const char* path) {
  const std::string text = path != nullptr ? path : "errand";
  return text.substr(text.find_last_of('/') + 1);
}

int run_cli(int argc, const char* const* argv, const WorkerRegistry& registry, const Options& options,
            Streams streams) {
  CLI::App app{"Background jobs for C++: run workers, enqueue jobs, inspect and repair queues and job sets.",
               base_name(argc > 0 ? argv[0] : nullptr)};
  app.require_subcommand(1);
  app.fallthrough();  // inherited by the commands added below: common options go anywhere
  app.footer(footer);
  CommonOptions common;
  add_common(app, common);

  RunOptions run_options;
  auto* run = app.add_subcommand("run", "Work jobs with this program's workers until TERM or INT (TSTP: quiet)");
  run->add_option("-c,--concurrency", run_options.concurrency, "Threads running jobs, per store")
      ->check(CLI::Range(1, ProcessorOptions::max_concurrency));
  run->add_option("-q,--queue", run_options.queues, "Queue to work, NAME or NAME,WEIGHT; repeat for several")
      ->allow_extra_args(false);
  run->add_option("-t,--timeout", run_options.timeout_seconds, "Seconds a stop waits for running jobs")
      ->check(CLI::NonNegativeNumber);

  EnqueueOptions enqueue_options;
  auto* enqueue = app.add_subcommand("enqueue", "Push a job for any worker class");
  enqueue->add_option("class", enqueue_options.class_name, "The job's class, as workers are registered")->required();
  enqueue->add_option("args", enqueue_options.args_json, "The arguments as a JSON array (default [])");
  enqueue->add_option("-q,--queue", enqueue_options.queue, "Queue (default: default)")
      ->check([](const std::string& q) { return q.empty() ? std::string("a queue name must not be empty") : ""; });
  auto* in = enqueue->add_option("--in", enqueue_options.in_seconds, "Run in this many seconds");
  enqueue->add_option("--at", enqueue_options.at_epoch, "Run at this time, in epoch seconds")->excludes(in);
  enqueue->add_option("--retry", enqueue_options.retry, "true, false or a number of retries (default true)");

  auto* stats = app.add_subcommand("stats", "Counters, processes, queue sizes, set sizes");
  auto* queues = app.add_subcommand("queues", "Queues and how many jobs wait in each");
  std::string clear_queue;
  auto* clear = app.add_subcommand("clear", "Delete every job waiting in a queue");
  clear->add_option("queue", clear_queue, "The queue")->required();

  SetCommand set_command_options;
  const CLI::App* set_chosen = nullptr;
  add_set_commands(app, "retries", JobSet::retry, "Failed jobs waiting to be retried", set_command_options, set_chosen);
  add_set_commands(app, "dead", JobSet::dead, "Jobs that will not be retried", set_command_options, set_chosen);
  add_set_commands(app, "scheduled", JobSet::scheduled, "Jobs scheduled for later", set_command_options, set_chosen);

  if (const std::string unknown = unknown_command(app, argc, argv); !unknown.empty()) {
    streams.err << "errand: unknown command \"" << unknown << "\"; the commands are " << command_names(app) << " (see "
                << app.get_name() << " --help)\n";
    return exit_usage_error;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e, streams.out, streams.err);  // --help
      return exit_ok;
    }
    streams.err << "errand: " << e.what() << " (see " << app.get_name() << " --help)\n";
    return exit_usage_error;
  }

  if (*run) return run_command(common, run_options, registry, options, streams);
  if (*enqueue) return enqueue_command(common, enqueue_options, streams);
  if (*stats) return stats_command(common, streams);
  if (*queues) return queues_command(common, streams);
  if (*clear) return clear_command(common, clear_queue, streams);
  if (set_chosen != nullptr) return set_command(common, set_command_options, streams);
  streams.err << "errand: no command given (see " << app.get_name() << " --help)\n";
  return exit_usage_error;
}

/// One line, starting with "errand: ".
void report(std::ostream& err, const std::string& message) {
  err << (message.starts_with("errand: ") ? "" : "errand: ") << message << '\n';
}

}  // namespace

int main(int argc, const char* const* argv, const WorkerRegistry& registry, const Options& options) {
  Streams streams{options.out != nullptr ? *options.out : std::cout, options.err != nullptr ? *options.err : std::cerr};
  try {
    return run_cli(argc, argv, registry, options, streams);
  } catch (const UsageError& e) {
    report(streams.err, e.what());
  } catch (const ConfigError& e) {
    report(streams.err, e.what());
  } catch (const PayloadError& e) {
    report(streams.err, e.what());
  } catch (const ArgumentError& e) {
    report(streams.err, e.what());
  } catch (const std::exception& e) {
    report(streams.err, e.what());
    return exit_failure;
  }
  return exit_usage_error;
}

}  // namespace errand::cli
