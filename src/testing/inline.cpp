// Inline mode: a store whose insert runs the job at once.
#include <errand/testing.hpp>

#include "testing/testing_store.hpp"

namespace errand::testing {
namespace detail {

class InlineStore final : public TestingStore {
 public:
  using TestingStore::TestingStore;

  [[nodiscard]] std::string_view name() const noexcept override { return "testing::Inline"; }

  /// Runs each job in turn, parsed back from the payload a real store would have stored.
  void job_insert_many(const JobInsertManyParams& params) override {
    for (const JobInsert& insert : params.jobs) {
      Job job = Job::parse(insert.payload);
      check_open(job.class_name());
      perform(std::move(job));
    }
  }
};

}  // namespace detail

Inline::Inline(WorkerRegistry workers, std::shared_ptr<Logger> logger)
    : Scope(std::make_shared<detail::InlineStore>(std::move(workers), std::move(logger))) {}

}  // namespace errand::testing
