// Where errand's data lives in Postgres: pgmq's catalog and per-queue tables (created
// when missing, used as they are when pgmq is installed), and errand's own tables for
// processes and stats in schema `errand`.
#pragma once

#include "postgres/pq.hpp"

#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace errand::pq {

/// `pgmq.q_<queue>` (the queue) or `pgmq.a_<queue>` (its archive), for a validated name.
[[nodiscard]] std::string queue_table(std::string_view queue);
[[nodiscard]] std::string archive_table(std::string_view queue);
/// pgmq's NOTIFY channel for inserts into a queue: `pgmq.q_<queue>.INSERT`.
[[nodiscard]] std::string insert_channel(std::string_view queue);

class Catalog {
 public:
  /// Creates schema `errand` and, unless pgmq is installed, pgmq's catalog table.
  explicit Catalog(Connection& c);

  /// Makes sure `queue`'s tables exist (as pgmq.create does); cached per process.
  void ensure_queue(Connection& c, std::string_view queue);
  /// Every queue in pgmq.meta, sorted.
  [[nodiscard]] static std::vector<std::string> queues(Connection& c);
  /// True when `queue` has tables (without creating them).
  [[nodiscard]] bool exists(Connection& c, std::string_view queue);

 private:
  void create_queue(Connection& c, std::string_view queue);

  bool pgmq_functions_ = false;  ///< pgmq installed: create queues with pgmq.create
  std::mutex mutex_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace errand::pq
