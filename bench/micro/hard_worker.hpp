// The worker the benchmarks share: Sidekiq's typical job, perform(int64, string, struct).
#pragma once

#include <errand/worker.hpp>

#include <boost/describe.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace errand_bench {

struct Report {
  std::string plan;
  double amount = 0;
  std::optional<std::int64_t> seats;
  std::optional<std::string> coupon;
};
BOOST_DESCRIBE_STRUCT(Report, (), (plan, amount, seats, coupon))

struct HardWorker : errand::Worker<HardWorker> {
  static constexpr std::string_view class_name = "App::Jobs::HardWorker";
  void perform(std::int64_t /*user_id*/, const std::string& /*email*/, const Report& /*report*/) {}
};

}  // namespace errand_bench
