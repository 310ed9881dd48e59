#include "redis/set_admin.hpp"

#include "kit/store_support.hpp"
#include "redis/commands.hpp"
#include "redis/scripts.hpp"

namespace errand::redis {

std::vector<std::string> SetAdmin::selected(const std::string& set_key, const SetSelection& which) {
  Reply reply = pool_.with([&](Connection& c) { return c.run({"ZRANGE", set_key, "0", "-1"}); });
  std::vector<std::string> members;
  for (auto& item : reply.elements()) {
    if (detail::selected(item.text(), which)) members.push_back(std::move(item.text()));
  }
  return members;
}

std::size_t SetAdmin::enqueue_now(const std::string& set_key, const SetSelection& which) {
  std::size_t moved = 0;
  for (const auto& member : selected(set_key, which)) {
    const std::string queue = detail::queue_of(member);
    const std::vector<std::string> keys{set_key, keys_.queue(queue), keys_.queues()};
    const std::vector<std::string> args{member, detail::for_manual_retry(member), queue};
    moved += static_cast<std::size_t>(
        pool_.with([&](Connection& c) { return scripts_.run(c, scripts::enqueue_member, keys, args).as_integer(); }));
  }
  return moved;
}

std::size_t SetAdmin::remove(const std::string& set_key, const SetSelection& which) {
  const std::vector<std::string> members = selected(set_key, which);
  if (members.empty()) return 0;
  std::vector<std::string_view> argv{"ZREM", set_key};
  argv.insert(argv.end(), members.begin(), members.end());
  Commands command;
  command.add(argv);
  return static_cast<std::size_t>(pool_.with([&](Connection& c) { return c.execute(command).at(0).as_integer(); }));
}

std::size_t SetAdmin::clear_queue(std::string_view queue) {
  const std::vector<std::string> keys{keys_.queue(queue), keys_.queues()};
  return static_cast<std::size_t>(pool_.with([&](Connection& c) {
    return scripts_.run(c, scripts::clear_queue, keys, {std::string(queue)}).as_integer();
  }));
}

}  // namespace errand::redis
