#include "redis/script_runner.hpp"

namespace errand::redis {

Reply ScriptRunner::run(Connection& c, std::string_view script, const std::vector<std::string>& keys,
                        const std::vector<std::string>& args) {
  const std::vector<std::string_view> key_views(keys.begin(), keys.end());
  const std::vector<std::string_view> arg_views(args.begin(), args.end());
  return run(c, script, key_views, arg_views);
}

Reply ScriptRunner::run(Connection& c, std::string_view script, std::span<const std::string_view> keys,
                        std::span<const std::string_view> args) {
  std::string sha;
  {
    std::lock_guard lock(mutex_);
    const auto it = shas_.find(script.data());
    if (it != shas_.end()) sha = it->second;
  }
  if (sha.empty()) sha = load(c, script);
  const std::string key_count = std::to_string(keys.size());
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string_view> argv{"EVALSHA", sha, key_count};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    Commands commands;
    commands.add(argv);
    Reply reply = std::move(c.execute(commands).front());
    if (reply.is_error() && reply.text().starts_with("NOSCRIPT") && attempt == 0) {
      sha = load(c, script);  // Redis restarted or SCRIPT FLUSH: load it again
      continue;
    }
    expect_ok(reply, "script");
    return reply;
  }
}

std::string ScriptRunner::load(Connection& c, std::string_view script) {
  std::string sha = c.run({"SCRIPT", "LOAD", script}).text();
  std::lock_guard lock(mutex_);
  shas_[script.data()] = sha;
  return sha;
}

}  // namespace errand::redis
