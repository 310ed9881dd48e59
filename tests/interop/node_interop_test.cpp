// Interop with Node's Sidekiq client (npm `sidekiq` 1.1.1, tests/interop/node): Node
// enqueues, errand runs. Its packages are installed by the CTest fixture
// node_modules_install (`npm ci` into ERRAND_NODE_MODULES, in the build tree).
#include <errand/processor.hpp>

#include "redis_fixture.hpp"
#include "subprocess.hpp"

#include <array>
#include <bit>
#include <charconv>
#include <filesystem>
#include <map>
#include <mutex>

namespace errand::interop_test {

struct Arrived {
  std::mutex mutex;
  std::map<std::string, std::vector<double>> by_jid;
};

// Takes its doubles as a typed worker does: JavaScript writes integral doubles without a
// fraction ("42", "123456789012345680000"), which errand reads as integers.
struct FloatsWorker : Worker<FloatsWorker> {
  static constexpr std::string_view class_name = "FloatsWorker";
  Arrived* arrived = nullptr;
  void perform(const std::vector<double>& values, Context& ctx) {
    std::lock_guard lock(arrived->mutex);
    arrived->by_jid[std::string(ctx.jid())] = values;
  }
};

std::uint64_t hex_bits(std::string_view hex) {
  std::uint64_t bits = 0;
  const auto result = std::from_chars(hex.data(), hex.data() + hex.size(), bits, 16);
  EXPECT_TRUE(result.ec == std::errc{} && result.ptr == hex.data() + hex.size()) << hex;
  return bits;
}

std::string describe(std::uint64_t bits) {
  std::array<char, 16> digits{};
  char* end = std::to_chars(digits.data(), digits.data() + digits.size(), bits, 16).ptr;
  const std::string hex(digits.data(), end);
  return format_double(std::bit_cast<double>(bits)) + " (bits " + std::string(16 - hex.size(), '0') + hex + ")";
}

class NodeSidekiqInteropTest : public test::RedisTest {};

// Floats a Node app pushes reach the worker bit for bit: JSON.stringify writes each as
// JavaScript's shortest round-trip text (String(x): "1e+21", "5e-324", "100"), errand
// reads it correctly rounded. 10,000 random doubles of every magnitude, both signs,
// subnormals and integral values; Node prints each one's bits and the text it wrote.
TEST_F(NodeSidekiqInteropTest, RandomFloatsFromNodeReachTheWorkerBitForBit) {
  const std::string node_modules = ERRAND_NODE_MODULES;
  ASSERT_TRUE(std::filesystem::exists(node_modules + "/sidekiq/package.json"))
      << "npm sidekiq is not installed in " << node_modules << ": CTest's fixture node_modules_install installs it ("
      << "tests/interop/node/install.sh " << std::filesystem::path(node_modules).parent_path().string() << ")";
  const auto [status, out] = test::run_shell("NODE_PATH='" + node_modules + "' node " + test::source_dir() +
                                             "/tests/interop/node/push_random_floats.js '" + test::redis_url() +
                                             "' 10000 1203");
  ASSERT_EQ(status, 0) << "node push_random_floats.js failed (node missing? scripts/install-deps.sh installs it): "
                       << out;
  const json::object expected = parse_json(out).as_object();
  ASSERT_EQ(expected.size(), 100U);

  // What is in Redis is the text JavaScript wrote, number for number.
  for (const std::string& payload : list("queue:floats")) {
    const std::string jid(parse_json(payload).as_object().at("jid").as_string());
    ASSERT_TRUE(expected.contains(jid)) << payload;
    std::string args = R"("args":[[)";
    for (const auto& value : expected.at(jid).as_array()) {
      args += std::string(value.as_array().at(1).as_string()) + ",";
    }
    args.back() = ']';
    EXPECT_NE(payload.find(args + "]"), std::string::npos) << "expected " << args << "] in " << payload;
  }

  Arrived arrived;
  ProcessorOptions options;
  options.concurrency = 2;
  options.queues = {"floats"};
  options.logger = null_logger();
  Processor processor(store, options);
  processor.register_worker<FloatsWorker>([&] {
    FloatsWorker w;
    w.arrived = &arrived;
    return w;
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] {
    std::lock_guard lock(arrived.mutex);
    return arrived.by_jid.size() == expected.size();
  }));
  processor.stop();
  EXPECT_EQ(processor.stats().failed, 0U);

  int compared = 0;
  int wrong = 0;
  for (const auto& [jid, values] : expected) {
    const std::vector<double>& got = arrived.by_jid.at(std::string(jid));
    const json::array& want = values.as_array();
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i, ++compared) {
      const json::array& value = want[i].as_array();
      const std::uint64_t expected_bits = hex_bits(value.at(0).as_string());
      const auto got_bits = std::bit_cast<std::uint64_t>(got[i]);
      if (got_bits != expected_bits && ++wrong <= 5) {
        ADD_FAILURE() << "Node meant " << describe(expected_bits) << " and wrote " << value.at(1).as_string()
                      << "; the worker got " << describe(got_bits);
      }
    }
  }
  EXPECT_EQ(compared, 10'000);
  EXPECT_EQ(wrong, 0);
}

}  // namespace errand::interop_test
