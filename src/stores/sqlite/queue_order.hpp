// Where a job goes when it becomes ready: the end of its queue (shared by the job and
// admin operations of the SQLite store).
#pragma once

#include "sqlite/database.hpp"

#include <cstdint>
#include <string_view>

namespace errand::sqlite {

inline void remember_queue(Connection& c, std::string_view queue) {
  c.prepare("INSERT OR IGNORE INTO errand_queues (name) VALUES (?1)").bind(1, queue).run();
}

/// Appends a ready job at the end of its queue.
inline void append_ready(Connection& c, std::int64_t id, std::string_view queue) {
  c.prepare(
       "UPDATE errand_jobs SET state = 0, owner = NULL, run_at = NULL, queue = ?2, position = "
       "(SELECT COALESCE(MAX(position), 0) + 1 FROM errand_jobs WHERE queue = ?2 AND state = 0) WHERE id = ?1")
      .bind(1, id)
      .bind(2, queue)
      .run();
  remember_queue(c, queue);
}

}  // namespace errand::sqlite
