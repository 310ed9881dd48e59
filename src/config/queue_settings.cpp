#include "config/queue_settings.hpp"

#include "config/settings.hpp"

#include <errand/error.hpp>

#include <algorithm>
#include <charconv>

namespace errand::config {
namespace {

// errand::QueueList's own messages start with "errand: "; ours put the origin first.
std::string_view without_prefix(std::string_view message) {
  constexpr std::string_view prefix = "errand: ";
  if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
  return message;
}

void check_name(const std::vector<std::pair<std::string, int>>& so_far, const std::string& name,
                std::string_view origin) {
  try {
    validate_queue_name(name);
  } catch (const ConfigError& e) {
    fail(origin, "{}", without_prefix(e.what()));
  }
  const auto same = [&](const auto& entry) { return entry.first == name; };
  if (std::any_of(so_far.begin(), so_far.end(), same)) {
    fail(origin, "queue \"{}\" is listed twice; give it once (with its weight, if any)", name);
  }
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

QueueList make_queue_list(std::vector<std::pair<std::string, int>> weights, bool weighted, std::string_view origin) {
  if (weights.empty()) fail(origin, "lists no queue; give at least one, e.g. [\"default\"]");
  try {
    if (weighted) return QueueList::weighted(std::move(weights));
    std::vector<std::string> names;
    for (auto& entry : weights) names.push_back(std::move(entry.first));
    return QueueList::strict(std::move(names));
  } catch (const ConfigError& e) {
    fail(origin, "{}", without_prefix(e.what()));
  }
}

std::optional<QueueList> read_queues(TomlReader& reader, const Path& path) {
  const toml::node* node = reader.find(path);
  if (node == nullptr) return std::nullopt;
  const std::string where = reader.origin(*node, path);
  const auto* array = node->as_array();
  if (array == nullptr) {
    fail(where, "must be an array of queue names, got {}; write [\"critical\", \"default\"] or "
                "[[\"critical\", 6], [\"default\", 4]]",
         type_name(*node));
  }
  std::vector<std::pair<std::string, int>> weights;
  bool weighted = false;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& entry = *array->get(i);
    const std::string entry_where =
        fmt::format("{}: {}[{}]", reader.origin(entry.source().begin.line), to_string(path), i);
    if (const auto* name = entry.as_string()) {
      check_name(weights, name->get(), entry_where);
      weights.emplace_back(name->get(), 1);
      continue;
    }
    const auto* pair = entry.as_array();
    if (pair == nullptr || pair->size() != 2 || !pair->get(0)->is_string() ||
        !(pair->get(1)->is_integer() || pair->get(1)->is_floating_point())) {
      fail(entry_where, "must be a queue name or a [name, weight] pair such as [\"critical\", 6], got {}",
           type_name(entry));
    }
    const std::string name = pair->get(0)->as_string()->get();
    if (!pair->get(1)->is_integer()) {
      fail(entry_where, "queue \"{}\" has weight {}; a weight is a whole number >= 1", name,
           pair->get(1)->as_floating_point()->get());
    }
    const std::int64_t weight = pair->get(1)->as_integer()->get();
    if (weight < 1 || weight > QueueList::max_weight) {
      fail(entry_where, "queue \"{}\" has weight {}; a weight is a whole number from 1 to {}", name, weight,
           QueueList::max_weight);
    }
    check_name(weights, name, entry_where);
    weights.emplace_back(name, static_cast<int>(weight));
    weighted = true;
  }
  return make_queue_list(std::move(weights), weighted, where);
}

QueueList parse_queue_text(std::string_view text, std::string_view origin) {
  std::vector<std::pair<std::string, int>> weights;
  bool weighted = false;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    std::string name(item);
    int weight = 1;
    // "name:weight" only when what follows the last ':' is a number: Sidekiq queue names may hold ':'.
    if (const auto colon = item.rfind(':'); colon != std::string_view::npos) {
      const std::string_view digits = item.substr(colon + 1);
      const std::string_view unsigned_part = digits.starts_with('-') ? digits.substr(1) : digits;
      const bool number = !unsigned_part.empty() && std::all_of(unsigned_part.begin(), unsigned_part.end(),
                                                                [](char c) { return c >= '0' && c <= '9'; });
      if (number) {
        int parsed = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
        if (ec != std::errc() || parsed < 1 || parsed > QueueList::max_weight) {
          fail(origin, "queue \"{}\" has weight {}; a weight is a whole number from 1 to {}", item.substr(0, colon),
               digits, QueueList::max_weight);
        }
        name = std::string(item.substr(0, colon));
        weight = parsed;
        weighted = true;
      }
    }
    check_name(weights, name, origin);
    weights.emplace_back(std::move(name), weight);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return make_queue_list(std::move(weights), weighted, origin);
}

}  // namespace errand::config
