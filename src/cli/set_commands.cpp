// retries / dead / scheduled: list, retry, delete.
#include "cli/commands.hpp"
#include "cli/job_view.hpp"
#include "cli/store_choice.hpp"

#include <fmt/format.h>

namespace errand::cli {
namespace {

const char* set_description(JobSet set) {
  switch (set) {
    case JobSet::scheduled: return "scheduled set";
    case JobSet::retry: return "retry set";
    case JobSet::dead: return "dead set";
  }
  return "set";
}

int list(StoreAdmin& admin, const SetCommand& command, bool as_json, Streams streams) {
  const std::vector<SetEntry> entries = admin.set_list({.set = command.set, .limit = command.limit});
  const std::int64_t size = admin.set_size({.set = command.set});
  if (as_json) {
    json::array jobs;
    for (const auto& entry : entries) jobs.push_back(entry_json(entry));
    streams.out << to_json(json::object{{"set", set_name(command.set)}, {"size", size}, {"jobs", std::move(jobs)}})
                << '\n';
    return exit_ok;
  }
  if (entries.empty()) {
    streams.out << fmt::format("the {} is empty\n", set_description(command.set));
    return exit_ok;
  }
  print_entries(streams.out, command.set, entries);
  if (size > static_cast<std::int64_t>(entries.size())) {
    streams.out << fmt::format("({} of {} shown; --limit {} shows them all)\n", entries.size(), size, size);
  }
  return exit_ok;
}

int change(StoreAdmin& admin, const SetCommand& command, bool as_json, Streams streams) {
  const bool retry = command.action == SetCommand::Action::retry;
  const auto apply = [&](const SetSelection& which) {
    const SetChangeParams params{.set = command.set, .which = which};
    return retry ? admin.set_enqueue_now(params) : admin.set_delete(params);
  };
  std::size_t count = 0;
  std::vector<std::string> missing;
  if (command.all) {
    count = apply(SetSelection{.jids = {}, .all = true});
  } else {
    for (const auto& jid : command.jids) {  // one by one, to tell which jids were not there
      const std::size_t n = apply(SetSelection{.jids = {jid}, .all = false});
      if (n == 0) missing.push_back(jid);
      count += n;
    }
  }
  const char* verb = retry ? "retry" : "delete";
  if (as_json) {
    json::array missing_json;
    for (const auto& jid : missing) missing_json.emplace_back(jid);
    streams.out << to_json(json::object{{"set", set_name(command.set)},
                                        {"action", verb},
                                        {"count", count},
                                        {"missing", std::move(missing_json)}})
                << '\n';
  } else {
    streams.out << fmt::format("{} {} job(s) {} the {}\n", retry ? "moved" : "deleted", count,
                               retry ? "to their queues from" : "from", set_description(command.set));
  }
  for (const auto& jid : missing) {
    streams.err << fmt::format("errand: no job with jid {} in the {}; `errand {} list` shows the jobs there\n", jid,
                               set_description(command.set), set_name(command.set));
  }
  return missing.empty() ? exit_ok : exit_failure;
}

}  // namespace

int set_command(const CommonOptions& common, const SetCommand& command, Streams streams) {
  if (command.action != SetCommand::Action::list) {
    if (command.all && !command.jids.empty()) {
      throw UsageError("errand: give either job ids or --all, not both");
    }
    if (!command.all && command.jids.empty()) {
      throw UsageError(fmt::format("errand: name the jobs by jid (see `errand {} list`), or give --all",
                                   set_name(command.set)));
    }
  }
  const AdminStore chosen = open_admin_store(common);
  if (command.action == SetCommand::Action::list) return list(*chosen.admin, command, common.json, streams);
  return change(*chosen.admin, command, common.json, streams);
}

}  // namespace errand::cli
