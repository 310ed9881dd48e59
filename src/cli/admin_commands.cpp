// enqueue, stats, queues, clear.
#include "cli/commands.hpp"
#include "cli/job_view.hpp"
#include "cli/store_choice.hpp"
#include "cli/table.hpp"
#include "stores/kit/url_secrets.hpp"

#include <errand/client.hpp>
#include <errand/queues.hpp>

#include <fmt/format.h>

#include <charconv>

namespace errand::cli {
namespace {

json::array parse_args(const std::string& text) {
  json::value args;
  try {
    args = parse_json(text);
  } catch (const Error& e) {
    std::string_view reason = e.what();
    if (reason.starts_with("errand: ")) reason.remove_prefix(8);
    throw UsageError(fmt::format("errand: ARGS_JSON {:?} is not valid JSON ({}); give the job's arguments as a JSON "
                                 "array, e.g. '[42, \"x\"]'",
                                 text, reason));
  }
  if (!args.is_array()) {
    throw UsageError(fmt::format("errand: ARGS_JSON must be a JSON array of the job's arguments, got {}; wrap a single "
                                 "argument in brackets, e.g. '[{}]'",
                                 text, text));
  }
  return std::move(args.as_array());
}

json::value parse_retry(const std::string& text) {
  if (text.empty() || text == "true") return true;
  if (text == "false") return false;
  std::int64_t count = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc{} || end != text.data() + text.size() || count < 0) {
    throw UsageError(fmt::format("errand: --retry is {:?}; use true, false or a number of retries (0 or more)", text));
  }
  return count;
}

void print_json(std::ostream& out, const json::value& value) { out << to_json(value) << '\n'; }

/// Each queue's size. A queue the store lists but cannot count (a pgmq.meta row whose
/// name errand cannot use, say) is left out with a note on stderr, so that one bad
/// row does not hide the others.
std::vector<std::pair<std::string, std::int64_t>> queue_sizes(StoreAdmin& admin, std::ostream& err) {
  std::vector<std::pair<std::string, std::int64_t>> sizes;
  for (const auto& name : admin.queue_names()) {
    try {
      sizes.emplace_back(name, admin.queue_size({.queue = name}));
    } catch (const ArgumentError& e) {  // a name this store cannot hold
      err << fmt::format("errand: skipped queue {:?}: {}\n", name, e.what());
    }
  }
  return sizes;
}

}  // namespace

int enqueue_command(const CommonOptions& common, const EnqueueOptions& options, Streams streams) {
  const std::string queue = options.queue.empty() ? "default" : options.queue;
  validate_queue_name(queue);
  json::object fields;
  fields["retry"] = parse_retry(options.retry);
  fields["queue"] = queue;
  fields["class"] = options.class_name;
  fields["args"] = parse_args(options.args_json);
  std::optional<TimePoint> at;
  constexpr double year_9999 = 253'402'300'799;  // 9999-12-31T23:59:59Z
  if (options.at_epoch) {
    if (!(*options.at_epoch >= 0 && *options.at_epoch <= year_9999)) {
      throw UsageError(fmt::format("errand: --at {} is not a time errand can schedule; give epoch seconds between 0 "
                                   "and {} (9999-12-31)",
                                   *options.at_epoch, year_9999));
    }
    at = from_epoch_seconds(*options.at_epoch);
  }
  if (options.in_seconds) {
    constexpr double ten_years = 10.0 * 365 * 24 * 3600;
    if (!(*options.in_seconds >= 0 && *options.in_seconds <= ten_years)) {
      throw UsageError(fmt::format("errand: --in {} is out of range; give a number of seconds from 0 to {} (ten years)",
                                   *options.in_seconds, ten_years));
    }
    at = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*options.in_seconds));
  }
  if (at) fields["at"] = epoch_seconds(*at);

  const AdminStore chosen = open_admin_store(common);
  const std::optional<std::string> jid = Client{chosen.store}.push(Job(std::move(fields)));
  if (!jid) throw Error("errand: the job was not pushed (a client middleware stopped it)");
  const bool scheduled = at && *at > Clock::now();
  if (common.json) {
    print_json(streams.out, json::object{{"jid", *jid},
                                         {"class", options.class_name},
                                         {"queue", queue},
                                         {"at", scheduled ? json::value(iso_time(*at)) : json::value(nullptr)}});
  } else if (scheduled) {
    streams.out << fmt::format("scheduled {} jid {} for queue {} at {}\n", options.class_name, *jid, queue,
                               iso_time(*at));
  } else {
    streams.out << fmt::format("enqueued {} jid {} to queue {}\n", options.class_name, *jid, queue);
  }
  return exit_ok;
}

int stats_command(const CommonOptions& common, Streams streams) {
  const AdminStore chosen = open_admin_store(common);
  StoreAdmin& admin = *chosen.admin;
  const StoreStats stats = admin.stats();
  const std::int64_t processes = chosen.store->process_count();
  const auto queues = queue_sizes(admin, streams.err);
  std::int64_t enqueued = 0;
  for (const auto& [name, size] : queues) enqueued += size;
  const std::int64_t scheduled = admin.set_size({.set = JobSet::scheduled});
  const std::int64_t retries = admin.set_size({.set = JobSet::retry});
  const std::int64_t dead = admin.set_size({.set = JobSet::dead});

  if (common.json) {
    json::object sizes;
    for (const auto& [name, size] : queues) sizes[name] = size;
    print_json(streams.out, json::object{{"store", store_name(chosen.backend.url)},
                                         {"url", detail::masked_url(chosen.backend.url)},
                                         {"processed", stats.processed},
                                         {"failed", stats.failed},
                                         {"processes", processes},
                                         {"enqueued", enqueued},
                                         {"scheduled", scheduled},
                                         {"retries", retries},
                                         {"dead", dead},
                                         {"queues", std::move(sizes)}});
    return exit_ok;
  }
  print_fields(streams.out, {{"store", detail::masked_url(chosen.backend.url)},
                             {"processed", std::to_string(stats.processed)},
                             {"failed", std::to_string(stats.failed)},
                             {"processes", std::to_string(processes)},
                             {"enqueued", std::to_string(enqueued)},
                             {"scheduled", std::to_string(scheduled)},
                             {"retries", std::to_string(retries)},
                             {"dead", std::to_string(dead)}});
  if (!queues.empty()) {
    Table table({"queue", "size"});
    for (const auto& [name, size] : queues) table.add({name, std::to_string(size)});
    streams.out << '\n';
    table.print(streams.out);
  }
  return exit_ok;
}

int queues_command(const CommonOptions& common, Streams streams) {
  const AdminStore chosen = open_admin_store(common);
  json::array list;
  Table table({"queue", "size"});
  for (const auto& [name, size] : queue_sizes(*chosen.admin, streams.err)) {
    list.push_back(json::object{{"name", name}, {"size", size}});
    table.add({name, std::to_string(size)});
  }
  if (common.json) {
    print_json(streams.out, list);
  } else if (table.empty()) {
    streams.out << "no queue has received a job yet\n";
  } else {
    table.print(streams.out);
  }
  return exit_ok;
}

int clear_command(const CommonOptions& common, const std::string& queue, Streams streams) {
  validate_queue_name(queue);
  const AdminStore chosen = open_admin_store(common);
  const std::size_t cleared = chosen.admin->queue_clear({.queue = queue});
  if (common.json) {
    print_json(streams.out, json::object{{"queue", queue}, {"cleared", cleared}});
  } else {
    streams.out << fmt::format("cleared {} job(s) from queue {}\n", cleared, queue);
  }
  return exit_ok;
}

}  // namespace errand::cli
